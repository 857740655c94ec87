"""Prebuilt Core reads sent straight through psycopg, and the request's transaction on the
pooled connection's psycopg driver (``DriverTransaction``).

The hottest reads of every request (authentication's principal query, the contact page)
are Core statements built once with bind parameters. Through ``AsyncConnection.execute``
each run still pays SQLAlchemy's execution path — a greenlet hop, the compiled-cache
look-up, an execution context, the cursor adapter and a result object — measured at
~150 µs of CPU per statement on this stack, about as much as psycopg's own work. Here a
statement is compiled once per dialect and then sent with psycopg on the connection of the
transaction: the same SQL, the same transaction (the tenant set by ``set_config``, so
forced RLS applies), the same type adapters (the engine's psycopg context), and
SQLAlchemy's own bind and result processors applied where a column type has them.
Statements must filter by the tenant themselves, as every prebuilt statement does
(``tests/test_prebuilt_filters.py``). The engine's ``before_cursor_execute`` and
``after_cursor_execute`` listeners still see each statement (the query-count tests,
tracing's spans).

Errors are psycopg's own (``rapport.web.problems`` answers an outage either way). Values
fixed in the statement (an ``IN`` list of constants) are rendered once; a statement whose
``IN`` list is a per-call parameter is refused (compile it per call through SQLAlchemy).
"""

from __future__ import annotations

import uuid
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.sql import Select
from sqlalchemy.util import greenlet_spawn

# In an ORM session's ``info``: the DriverTransaction the session is joined to, whose
# connection the reads here use directly (no ``session.connection()``, which would begin
# the session's own transaction bookkeeping for a read that needs none of it).
TRANSACTION_KEY = "rapport.driver_transaction"

# The tenant of the transaction (lock two: forced RLS reads these), as
# ``rapport.db.session`` sets it for an ORM session's transaction.
SET_TENANT = (
    "SELECT set_config('rapport.tenant_id', %(tenant)s, true),"
    " set_config('rapport.user_id', %(user)s, true)"
)


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    defaults: Mapping[str, Any]
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]
    results: tuple[Callable[[Any], Any] | None, ...] | None
    # Rows whose columns are also attributes (``fetch_named``), made once per statement.
    named: Callable[[Sequence[Any]], tuple[Any, ...]]


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
        named=_row_type([c.keyname for c in compiled._result_columns]),
    )
    if len(_COMPILED) > 512:
        _COMPILED.clear()
    _COMPILED[key] = (statement, made)
    return made


def _row_type(names: list[str]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    # The column names are known only once the statement is compiled.
    make: Any = namedtuple
    made: Callable[[Sequence[Any]], tuple[Any, ...]] = make("Row", names, rename=True)._make
    return made


async def _send(connection: Connection, driver: Any, sql: str, values: dict[str, Any]) -> Any:
    """``sql`` on the psycopg connection, seen by the engine's cursor listeners."""
    events = connection.dispatch
    events.before_cursor_execute(connection, None, sql, values, None, False)
    try:
        return await driver.execute(sql, values)
    finally:
        # Listeners pair the two events (rapport.telemetry's spans, kept on the pooled
        # connection), so they are paired here even when the statement failed.
        events.after_cursor_execute(connection, None, sql, values, None, False)


async def _connection_of(
    source: AsyncSession | DriverTransaction,
) -> tuple[Connection, Any]:
    if isinstance(source, DriverTransaction):
        return source.live()
    joined: DriverTransaction | None = source.info.get(TRANSACTION_KEY)
    if joined is not None:
        return joined.live()
    connection = (await source.connection()).sync_connection
    assert connection is not None  # a session's connection() has begun it
    return connection, connection.connection.driver_connection


async def fetch_all(
    source: AsyncSession | DriverTransaction, statement: Select[Any], params: Mapping[str, Any]
) -> Sequence[tuple[Any, ...]]:
    """The rows of ``statement`` with ``params``, as tuples, in the transaction of
    ``source``: a request's ``DriverTransaction``, an ORM session joined to one, or any
    other session (begun in the tenant's context if it was not yet)."""
    connection, driver = await _connection_of(source)
    return await _rows(connection, driver, _compile(statement, connection.dialect), params)


async def fetch_named(
    source: AsyncSession | DriverTransaction, statement: Select[Any], params: Mapping[str, Any]
) -> list[Any]:
    """``fetch_all``'s rows, each column also an attribute named as in SQLAlchemy's rows
    (``row.id``, a label's name), for code that reads rows by name."""
    connection, driver = await _connection_of(source)
    compiled = _compile(statement, connection.dialect)
    return [compiled.named(row) for row in await _rows(connection, driver, compiled, params)]


async def _rows(
    connection: Connection, driver: Any, compiled: _Compiled, params: Mapping[str, Any]
) -> Sequence[tuple[Any, ...]]:
    values = {**compiled.defaults, **params}
    for name, process in compiled.binds:
        if name in values:
            values[name] = process(values[name])
    cursor = await _send(connection, driver, compiled.sql, values)
    rows: list[tuple[Any, ...]] = await cursor.fetchall()
    if compiled.results is None:
        return rows
    processors = compiled.results
    return [
        tuple(v if p is None else p(v) for p, v in zip(processors, row, strict=True))
        for row in rows
    ]


async def fetch_one(
    source: AsyncSession | DriverTransaction, statement: Select[Any], params: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """The first row of ``statement`` or None (``fetch_all``'s rules)."""
    rows = await fetch_all(source, statement, params)
    return rows[0] if rows else None


class DriverTransaction:
    """A request's one transaction, driven on the pooled connection's psycopg connection.

    Why not an ``AsyncSession``: its lifecycle alone (checkout, BEGIN and ``set_config``,
    COMMIT, close: session and transaction state, a greenlet hop for each step) measured
    ~1.3 ms of CPU — more than the baseline's whole request — before any query ran. Here
    the connection is SQLAlchemy's own (its pool: recycling, invalidation, the checkout
    and checkin events), its transaction is SQLAlchemy's ``Connection.begin()`` (the
    ``begin``/``commit``/``rollback`` events fire as for any transaction; psycopg sends
    BEGIN with the first statement), and the statements — ``set_config``, the principal,
    the hot reads — go straight to psycopg. An ORM session, when a handler wants one, is
    bound to this same connection and joins this transaction (``rapport.web.
    request_session``): same tenant, same forced RLS, one COMMIT.

    No pre-ping: a pooled connection the server dropped fails at ``set_config``, the first
    statement; then the pool forgets every connection opened before it (as SQLAlchemy does
    for a disconnect) and the transaction begins once more on a fresh one.
    """

    __slots__ = ("connection", "driver", "info", "root", "tenant_id", "user_id")

    def __init__(self, connection: Connection, tenant_id: uuid.UUID, user_id: uuid.UUID | None,
                 info: dict[str, Any]) -> None:
        self.connection: Connection | None = connection
        self.driver: Any = connection.connection.driver_connection
        self.tenant_id = tenant_id
        self.user_id = user_id
        self.info = info
        self.root: Any = None  # SQLAlchemy's transaction object of this one

    def owns(self, connection: Connection) -> bool:
        """Whether ``connection`` is in this transaction, whose tenant is set."""
        return connection is self.connection and connection.get_transaction() is self.root

    @classmethod
    async def begin(
        cls, engine: AsyncEngine, tenant_id: uuid.UUID, user_id: uuid.UUID | None,
        info: dict[str, Any] | None = None,
    ) -> DriverTransaction:
        """A checked-out connection whose transaction runs in the tenant's context."""
        values = {"tenant": str(tenant_id), "user": str(user_id) if user_id else ""}
        for attempt in (1, 2):
            connection = await greenlet_spawn(engine.sync_engine.connect)
            tx = cls(connection, tenant_id, user_id, {} if info is None else info)
            tx.root = connection.begin()  # bookkeeping and the begin event; nothing sent
            try:
                await _send(connection, tx.driver, SET_TENANT, values)
            except psycopg.OperationalError as exc:
                dead = bool(tx.driver.closed or tx.driver.broken)
                await greenlet_spawn(_drop, connection, exc if dead else None)
                tx.connection = None
                if attempt == 2 or not dead:
                    raise
                continue
            return tx
        raise AssertionError("unreachable")

    def live(self) -> tuple[Connection, Any]:
        if self.connection is None:
            raise RuntimeError("the request's transaction has ended")
        return self.connection, self.driver

    async def end(self, commit: bool, session: AsyncSession | None = None) -> None:
        """COMMIT (``commit``) or roll back, then return the connection to the pool; with
        ``session`` (an ORM session joined to this transaction) its pending changes are
        flushed first and it is closed. One greenlet hop for all of it. Ending twice is a
        no-op."""
        connection, self.connection = self.connection, None
        if connection is not None:
            await greenlet_spawn(
                _end, connection, commit, None if session is None else session.sync_session)


def _drop(connection: Connection, dead: BaseException | None) -> None:
    """Give back a connection whose first statement failed; when it was dead, forget it
    and every connection pooled before it (SQLAlchemy's own handling of a disconnect)."""
    if dead is not None:
        connection.engine.pool._invalidate(connection.connection, dead)
    connection.close()


def _end(connection: Connection, commit: bool, session: Any) -> None:
    try:
        if session is not None and session.in_transaction():
            if commit:
                session.commit()  # flushes; the joined transaction is committed below
            session.close()
        if commit and connection.in_transaction():
            connection.commit()
    finally:
        connection.close()  # rolls back whatever is left
