"""The staging table: every valid row of the file, COPied into a temporary table of this
connection, where the whole-file checks and the batch writes read it set-based.

PostgreSQL refuses ``COPY FROM`` into tables under row-level security, so rows land in a
temporary table (private to the connection, no RLS) and reach the tenant's tables through
``INSERT … SELECT``, which RLS checks like any insert.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AsyncExitStack
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

ROWS = "import_rows"
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
    """A fresh staging table: row number, the key it is matched by, its values (jsonb),
    and why it is left out (``duplicate``, ``invalid``) if it is."""
    await session.execute(text(f"DROP TABLE IF EXISTS {ROWS}"))
    await session.execute(text(f"CREATE TEMPORARY TABLE {ROWS} {_COLUMNS}"))


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


# Rows of batch number lane, lane + lanes, … counted from start (psycopg parameters).
_LANE = (f"SELECT n, key, doc, skip, id FROM {ROWS} "  # noqa: S608
         "WHERE skip IS NULL AND n > %(start)s "
         "AND ((n - %(start)s - 1) / %(size)s) %% %(lanes)s = %(lane)s")


async def deal(source: AsyncSession, others: Sequence[AsyncSession], start: int,
               size: int) -> None:
    """Writing on several connections: copy the checked rows of lane i's batches (batch
    number i, i + lanes, … of ``size`` rows above ``start``; lane 0 is ``source``) into a
    staging table of the same name on ``others[i - 1]``'s connection."""
    reading = await driver_connection(source)
    for lane, other in enumerate(others, start=1):
        await create(other)
        writing = await driver_connection(other)
        params = {"start": start, "size": size, "lanes": len(others) + 1, "lane": lane}
        async with (
            reading.cursor() as out_cursor,
            writing.cursor() as in_cursor,
            in_cursor.copy(f"COPY {ROWS} FROM STDIN") as into,
            out_cursor.copy(f"COPY ({_LANE}) TO STDOUT", params) as out,
        ):
            async for data in out:
                await into.write(data)
        await index(other)
