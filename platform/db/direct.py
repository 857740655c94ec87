"""Prebuilt Core reads sent straight through the transaction's psycopg connection.

The hottest reads of every request (authentication's principal query, the contact page)
are Core statements built once with bind parameters. Through ``AsyncConnection.execute``
each run still pays SQLAlchemy's execution path — a greenlet hop, the compiled-cache
look-up, an execution context, the cursor adapter and a result object — measured at
~150 µs of CPU per statement on this stack, about as much as psycopg's own work. Here a
statement is compiled once per dialect and then sent with psycopg on the connection of the
session's transaction: the same SQL, the same transaction (the tenant set by
``rapport.db.session``'s ``set_config``, so forced RLS applies), the same type adapters
(the engine's psycopg context), and SQLAlchemy's own bind and result processors applied
where a column type has them. Statements must filter by the tenant themselves, as every
prebuilt statement does (``tests/test_prebuilt_filters.py``). The engine's
``before_cursor_execute`` and ``after_cursor_execute`` listeners still see each statement
(the query-count tests, tracing's spans).

Errors are psycopg's own (``rapport.web.problems`` answers an outage either way). Values
fixed in the statement (an ``IN`` list of constants) are rendered once; a statement whose
``IN`` list is a per-call parameter is refused (compile it per call through SQLAlchemy).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    defaults: Mapping[str, Any]
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]
    results: tuple[Callable[[Any], Any] | None, ...] | None


# Per statement object (kept alive here, so its id stays its own) and dialect.
_COMPILED: dict[tuple[int, int], tuple[Select[Any], _Compiled]] = {}


def _compile(statement: Select[Any], dialect: Dialect) -> _Compiled:
    key = (id(statement), id(dialect))
    found = _COMPILED.get(key)
    if found is not None:
        return found[1]
    compiled = statement.compile(dialect=dialect)
    # Values fixed in the statement (``IN`` lists of constants, literal limits) are rendered
    # into the SQL once; the binds left without a value are the caller's.
    fixed = {p.key for p in compiled.post_compile_params}
    open_binds = {name for name, value in compiled.params.items() if value is None}
    if open_binds & fixed:
        raise ValueError("an expanding parameter given per call cannot be sent directly")
    if compiled.escaped_bind_names:
        raise ValueError("bind names that need escaping cannot be sent directly")
    expanded = compiled.construct_expanded_state(dict.fromkeys(open_binds))
    processors = {**compiled._bind_processors, **expanded.processors}  # as SQLAlchemy merges
    results = tuple(
        column.type._cached_result_processor(dialect, None)  # SQLAlchemy's own, per column
        for column in compiled._result_columns
    )
    made = _Compiled(
        sql=expanded.statement,
        defaults={k: v for k, v in expanded.parameters.items() if k not in open_binds},
        binds=tuple((k, p) for k, p in processors.items() if callable(p)),
        results=results if any(results) else None,
    )
    if len(_COMPILED) > 512:
        _COMPILED.clear()
    _COMPILED[key] = (statement, made)
    return made


async def fetch_all(
    session: AsyncSession, statement: Select[Any], params: Mapping[str, Any]
) -> Sequence[tuple[Any, ...]]:
    """The rows of ``statement`` with ``params``, as tuples, in ``session``'s transaction
    (begun in the tenant's context if it was not yet)."""
    connection = (await session.connection()).sync_connection
    assert connection is not None  # a session's connection() has begun it
    compiled = _compile(statement, connection.dialect)
    values = {**compiled.defaults, **params}
    for name, process in compiled.binds:
        if name in values:
            values[name] = process(values[name])
    driver = connection.connection.driver_connection
    assert driver is not None
    events = connection.dispatch
    events.before_cursor_execute(connection, None, compiled.sql, values, None, False)
    try:
        cursor = await driver.execute(compiled.sql, values)
        rows: list[tuple[Any, ...]] = await cursor.fetchall()
    finally:
        # Listeners pair the two events (rapport.telemetry's spans, kept on the pooled
        # connection), so they are paired here even when the statement failed.
        events.after_cursor_execute(connection, None, compiled.sql, values, None, False)
    if compiled.results is None:
        return rows
    processors = compiled.results
    return [
        tuple(v if p is None else p(v) for p, v in zip(processors, row, strict=True))
        for row in rows
    ]


async def fetch_one(
    session: AsyncSession, statement: Select[Any], params: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """The first row of ``statement`` or None (``fetch_all``'s rules)."""
    rows = await fetch_all(session, statement, params)
    return rows[0] if rows else None
