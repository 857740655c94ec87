"""The staging table: every valid row of the file, COPied into a temporary table of this
connection, where the whole-file checks and the batch writes read it set-based.

PostgreSQL refuses ``COPY FROM`` into tables under row-level security, so rows land in a
temporary table (private to the connection, no RLS) and reach the tenant's tables through
``INSERT … SELECT``, which RLS checks like any insert.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

ROWS = "import_rows"


async def driver_connection(session: AsyncSession) -> Any:
    """The psycopg connection under the session, in the session's transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


async def create(session: AsyncSession) -> None:
    """A fresh staging table: row number, the key it is matched by, its values (jsonb),
    and why it is left out (``duplicate``, ``invalid``) if it is."""
    await session.execute(text(f"DROP TABLE IF EXISTS {ROWS}"))
    await session.execute(
        text(f"CREATE TEMPORARY TABLE {ROWS} (n integer NOT NULL, key text NOT NULL, "
             "doc jsonb NOT NULL, skip text)")
    )


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
    """After the load: batches read ranges of row numbers, checks group by key."""
    await session.execute(text(f"CREATE INDEX ON {ROWS} (n)"))
    await session.execute(text(f"ANALYZE {ROWS}"))
