"""Staging: every valid row of the file, COPied into a temporary table, where the
whole-file checks read it set-based; then the rows to write, kept in the tenant table
``import_staged_rows`` under the import's id, where each batch (a transaction of its own,
on any connection) reads and deletes its range of row numbers.

PostgreSQL refuses ``COPY FROM`` into tables under row-level security, so rows land in a
temporary table (no RLS) and reach the tenant's tables through ``INSERT … SELECT``, which
RLS checks like any insert. The temporary table lives only within the transaction that
loads and checks it (``ON COMMIT DROP``): no step relies on session state, so step-by-step
imports work behind PgBouncer in transaction mode, and writer lanes on other connections
read the same staged rows.
"""

from __future__ import annotations

import uuid
from contextlib import AsyncExitStack
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

ROWS = "import_rows"
STAGED = "import_staged_rows"
# ``id``: the id of the contact the row creates, if it creates one — UUIDv7 drawn as the
# rows arrive in file order (monotonic within a session), so new contacts' ids follow the
# file whichever writer lane writes them.
_COLUMNS = ("(n integer NOT NULL, key text NOT NULL, doc jsonb NOT NULL, skip text, "
            "id uuid NOT NULL DEFAULT uuidv7())")


async def driver_connection(session: AsyncSession) -> Any:
    """The psycopg connection under the session, in the session's transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


async def create(session: AsyncSession) -> None:
    """A fresh staging table for this transaction: row number, the key it is matched by,
    its values (jsonb), and why it is left out (``duplicate``, ``invalid``) if it is."""
    await session.execute(text(f"DROP TABLE IF EXISTS {ROWS}"))
    await session.execute(text(f"CREATE TEMPORARY TABLE {ROWS} {_COLUMNS} ON COMMIT DROP"))


async def drop(session: AsyncSession) -> None:
    await session.execute(text(f"DROP TABLE IF EXISTS {ROWS}"))


class Copy:
    """An open ``COPY import_rows FROM STDIN``; write the lines ``RowReader`` produced."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._stack = AsyncExitStack()
        self._copy: Any = None

    async def __aenter__(self) -> Copy:
        raw = await driver_connection(self.session)
        cursor = await self._stack.enter_async_context(raw.cursor())
        statement = f"COPY {ROWS} (n, key, doc) FROM STDIN"
        self._copy = await self._stack.enter_async_context(cursor.copy(statement))
        return self

    async def write(self, lines: bytes) -> None:
        if lines:
            await self._copy.write(lines)

    async def __aexit__(self, *exc: Any) -> None:
        await self._stack.__aexit__(*exc)


async def index(session: AsyncSession) -> None:
    """After the load: the checks read rows by number and group them by key."""
    await session.execute(text(f"CREATE INDEX ON {ROWS} (n)"))
    await session.execute(text(f"ANALYZE {ROWS}"))


async def keep(session: AsyncSession, tenant_id: uuid.UUID, import_id: uuid.UUID) -> None:
    """The checked rows (not skipped) under ``import_id``, for the batches; the rows an
    earlier run of the same import staged go first (a resumed import stages again)."""
    params = {"tenant": tenant_id, "import": import_id}
    await discard(session, tenant_id, import_id)
    await session.execute(text(
        f"INSERT INTO {STAGED} (tenant_id, import_id, n, key, doc, id) "  # noqa: S608
        f"SELECT :tenant, :import, n, key, doc, id FROM {ROWS} WHERE skip IS NULL ORDER BY n"
    ), params)


async def discard(session: AsyncSession, tenant_id: uuid.UUID, import_id: uuid.UUID) -> None:
    """The staged rows of ``import_id`` still unwritten (a stopped import's; resuming
    stages them again from the checkpoint)."""
    await session.execute(
        text(f"DELETE FROM {STAGED} WHERE tenant_id = :tenant AND import_id = :import"),  # noqa: S608
        {"tenant": tenant_id, "import": import_id},
    )
