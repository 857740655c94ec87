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
# ``id``: the new contact's id when it was drawn ahead (rows dealt to writer lanes).
_COLUMNS = "(n integer NOT NULL, key text NOT NULL, doc jsonb NOT NULL, skip text, id uuid)"


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
    await session.execute(text(f"DROP TABLE IF EXISTS {ROWS}, {LANE_ROWS}"))


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


async def index(session: AsyncSession, table: str = ROWS) -> None:
    """After the load: batches read ranges of row numbers, checks group by key."""
    await session.execute(text(f"CREATE INDEX ON {table} (n)"))
    await session.execute(text(f"ANALYZE {table}"))


# Writing on several connections: each gets its batches' rows in a table of this name.
LANE_ROWS = "import_lane"
_IDS = "import_ids"
# Rows of batch number lane, lane + lanes, … counted from start (psycopg parameters).
_LANE = "r.n > %(start)s AND ((r.n - %(start)s - 1) / %(size)s) %% %(lanes)s = %(lane)s"
_LANE_SELECT = (f"SELECT r.n, r.key, r.doc, NULL::text AS skip, i.id FROM {ROWS} r "  # noqa: S608
                f"JOIN {_IDS} i ON i.n = r.n WHERE r.skip IS NULL AND {_LANE}")


async def _lane_table(session: AsyncSession) -> None:
    await session.execute(text(f"DROP TABLE IF EXISTS {LANE_ROWS}"))
    await session.execute(text(f"CREATE TEMPORARY TABLE {LANE_ROWS} {_COLUMNS}"))


async def split(source: AsyncSession, others: Sequence[AsyncSession], start: int,
                size: int) -> None:
    """Deal the checked rows above ``start`` to writer lanes, batch by batch of ``size``:
    lane 0 is ``source``'s connection, lane i ``others[i - 1]``'s; each gets a ``LANE_ROWS``
    table. Every row gets its new contact's id here, UUIDv7 drawn on one connection in
    file order (monotonic within a session), so ids follow the file whichever lane
    writes the row."""
    await source.execute(text(f"DROP TABLE IF EXISTS {_IDS}"))
    await source.execute(text(
        f"CREATE TEMPORARY TABLE {_IDS} AS SELECT s.n, uuidv7() AS id FROM ("  # noqa: S608
        f"SELECT n FROM {ROWS} WHERE skip IS NULL AND n > :start ORDER BY n OFFSET 0) s"
    ), {"start": start})
    lanes = len(others) + 1
    reading = await driver_connection(source)
    await _lane_table(source)
    async with reading.cursor() as cursor:
        await cursor.execute(f"INSERT INTO {LANE_ROWS} {_LANE_SELECT}",
                             {"start": start, "size": size, "lanes": lanes, "lane": 0})
    await index(source, LANE_ROWS)
    for lane, other in enumerate(others, start=1):
        await _lane_table(other)
        writing = await driver_connection(other)
        params = {"start": start, "size": size, "lanes": lanes, "lane": lane}
        async with (
            reading.cursor() as out_cursor,
            writing.cursor() as in_cursor,
            in_cursor.copy(f"COPY {LANE_ROWS} FROM STDIN") as into,
            out_cursor.copy(f"COPY ({_LANE_SELECT}) TO STDOUT", params) as out,
        ):
            async for data in out:
                await into.write(data)
        await index(other, LANE_ROWS)
    await source.execute(text(f"DROP TABLE {_IDS}"))
