"""Many rows into one table in one set-based statement.

``INSERT … SELECT … FROM json_to_recordset(:rows)`` sends the whole batch as one JSON
document (encoded by msgspec, in C): a batch of thousands of rows is one short statement
with a single parameter, where a multi-row ``VALUES`` list carries a parameter per cell for
the server to parse and plan, and one array per column costs psycopg a Python-level dump of
every element (measured on the outbox and the retail ledger: both several times slower per
row).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
from sqlalchemy import JSON, Table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

_DIALECT = postgresql.dialect()
_ENCODE = msgspec.json.Encoder().encode


async def insert_many(session: AsyncSession, model: Any, rows: Sequence[Mapping[str, Any]]
                      ) -> None:
    """Insert ``rows`` (dicts with the same keys: column names; values JSON can carry —
    str, numbers, bool, None, UUID, datetime, Decimal, dicts for JSON columns) into
    ``model``'s table (a mapped class or a ``Table``) in the session's transaction; columns
    left out take their server defaults. Nothing is returned, and no ORM objects are made."""
    if not rows:
        return
    table: Table = getattr(model, "__table__", model)
    quote = _DIALECT.identifier_preparer.quote
    names = [quote(name) for name in rows[0]]
    shapes = ", ".join(
        f"{quote(name)} "
        + ("jsonb" if isinstance(table.c[name].type, JSON)
           else table.c[name].type.compile(dialect=_DIALECT))
        for name in rows[0])
    # Only the table's own (quoted) names and column types go into the text; the values
    # are one bound parameter.
    statement = (f"INSERT INTO {quote(table.name)} ({', '.join(names)})"  # noqa: S608
                 f" SELECT {', '.join(names)} FROM json_to_recordset(CAST(:rows AS json))"
                 f" AS r({shapes})")
    await session.execute(text(statement), {"rows": _ENCODE(list(rows)).decode()})
