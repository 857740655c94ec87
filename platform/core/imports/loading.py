"""The validating pass: read the CSV, check every row in Python, COPY the valid ones into the
staging table as they are checked (PostgreSQL ingests one chunk while Python checks the
next). Large files are checked by worker processes; the order of rows is kept.
"""

from __future__ import annotations

import asyncio
import heapq
import multiprocessing
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.imports import staging
from rapport.core.imports.rows import ChunkResult, RowError, RowReader
from rapport.core.imports.source import CsvRows, Rows

CHUNK_ROWS = 2_000


@dataclass
class Loaded:
    """What the pass found: rows read and staged, invalid rows, the first errors."""

    rows: int = 0
    staged: int = 0
    invalid_rows: int = 0
    error_count: int = 0
    last_row: int = 0
    errors: list[RowError] = field(default_factory=list)

    def add(self, chunk: ChunkResult, rows: Rows, keep: int) -> None:
        self.rows += len(rows)
        self.staged += chunk.staged
        self.invalid_rows += chunk.invalid_rows
        self.error_count += len(chunk.errors)
        if len(self.errors) < keep:
            self.errors.extend(chunk.errors[: keep - len(self.errors)])
        if rows:
            self.last_row = max(self.last_row, rows[-1][0])


def ready() -> bool:
    """Run in each new worker: importing this module (and the row checks) is its start."""
    return True


def pool(workers: int) -> Executor:
    """``workers`` processes, started now: each spends about a second importing the row
    checks, which then overlaps the fingerprint and the look-ups before the first chunk."""
    # "spawn": the parent holds an event loop and a database connection, which a forked
    # child must not inherit.
    executor = ProcessPoolExecutor(max_workers=workers,
                                   mp_context=multiprocessing.get_context("spawn"))
    for _ in range(workers):
        executor.submit(ready)
    return executor


def _chunks(rows: CsvRows, start_after: int) -> Iterator[Rows]:
    return rows.chunks(CHUNK_ROWS, start_after)


async def load(
    session: AsyncSession,
    rows: CsvRows,
    reader: RowReader,
    *,
    start_after: int,
    keep: int,
    advance: Callable[[int], None],
    executor: Executor | None = None,
    depth: int = 1,
) -> Loaded:
    """Stage every valid row above ``start_after``; errors of invalid rows, first ``keep``.

    With an ``executor``, ``depth`` chunks are checked at once (twice the workers keeps
    each busy while the parent COPies)."""
    loaded = Loaded()
    loop = asyncio.get_running_loop()
    window: deque[tuple[Rows, Awaitable[ChunkResult]]] = deque()

    async with staging.Copy(session) as copy:

        async def settle() -> None:
            chunk_rows, pending = window.popleft()
            result = await pending
            await copy.write(result.lines)
            loaded.add(result, chunk_rows, keep)
            advance(len(chunk_rows))

        for chunk in _chunks(rows, start_after):
            if executor is None:
                window.append((chunk, asyncio.to_thread(reader.read, chunk)))
            else:
                window.append((chunk, loop.run_in_executor(executor, reader.read, chunk)))
            if len(window) >= depth:
                await settle()
        while window:
            await settle()
    if rows.bad:
        bad = [RowError(number + 1, "row", f"cannot be read as CSV: {message}")
               for number, message in rows.bad]
        loaded.invalid_rows += len(bad)
        loaded.error_count += len(bad)
        loaded.errors = heapq.nsmallest(keep, [*loaded.errors, *bad], key=lambda e: e.row)
        loaded.last_row = max(loaded.last_row, max(number for number, _ in rows.bad))
    return loaded
