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

import asyncio
import time
import uuid
from collections import deque, namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.sql import Select
from sqlalchemy.util import greenlet_spawn

# In an ORM session's ``info``: the DriverTransaction the session is joined to, whose
# connection the reads here use directly (no ``session.connection()``, which would begin
# the session's own transaction bookkeeping for a read that needs none of it).
TRANSACTION_KEY = "rapport.driver_transaction"

# The tenant of the transaction (lock two: forced RLS reads these), as
# ``rapport.db.session`` sets it for an ORM session's transaction; one text for both ways
# it is sent (bound values, or literal UUIDs after BEGIN), so they cannot drift apart.
_CONTEXT = ("SELECT set_config('rapport.tenant_id', {tenant}, true),"
            " set_config('rapport.user_id', {user}, true)")
SET_TENANT = _CONTEXT.format(tenant="%(tenant)s", user="%(user)s")


def begin_in_context(tenant_id: uuid.UUID, user_id: uuid.UUID | None) -> str:
    """BEGIN and ``SET_TENANT`` as one simple-protocol text, for one round trip where psycopg
    would send its BEGIN alone first. The two values are UUIDs rendered by ``uuid`` itself
    (hex digits and dashes: nothing to quote); anything else is refused."""
    if not isinstance(tenant_id, uuid.UUID) or not isinstance(user_id, uuid.UUID | None):
        raise TypeError("the tenant and the user are UUIDs")
    return "BEGIN; " + _CONTEXT.format(tenant=f"'{tenant_id}'", user=f"'{user_id or ''}'")


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


def _listened(connection: Connection) -> bool:
    # SQLAlchemy's own test before it dispatches a connection event: with no listener on
    # the connection or its engine (production without tracing) there is nothing to call.
    return bool(connection._has_events or connection.engine._has_events)


async def _send(connection: Connection, driver: Any, sql: str, values: dict[str, Any] | None
                ) -> Any:
    """``sql`` on the psycopg connection, seen by the engine's cursor listeners."""
    if not _listened(connection):
        return await driver.execute(sql, values)
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


# How long a connection stays parked in a lane before it goes back to SQLAlchemy's pool,
# whose checkout then applies its own recycling (POOL_RECYCLE_SECONDS) and invalidation.
LANE_SECONDS = 60.0
_LANE_ATTRIBUTE = "_rapport_lane"


class _Lane:
    """The connections of the request path: checked out of the engine's pool, used by one
    request's transaction at a time and parked between them (last in, first out) instead
    of being checked in; at most ``pool_size`` of them, so that the pool's overflow stays
    free for everything else (sign-up, log-in, background work). A request that finds all
    of them in use waits for the next one parked (up to the pool's timeout), as the
    baseline's fixed pool makes it wait.

    SQLAlchemy's checkout and checkin (and the checkin's reset, a ROLLBACK call on a
    connection whose transaction has already ended), the ``Connection`` made per checkout,
    and the greenlet hop each of them needs, were together a large share of a short
    request's CPU (issue 12, seventh round). The pool still owns every connection: it
    opens them, recycles them (a parked connection goes back after ``LANE_SECONDS``) and
    forgets them when one is found dead. The pool's checkout and checkin events are sent
    as a connection leaves and enters the lane, so the pool gauge counts connections in
    use, not parked ones."""

    __slots__ = ("engine", "idle", "keep", "owned", "waiters")

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        size = getattr(engine.pool, "size", None)
        self.keep = max(1, size()) if callable(size) else 1
        # (connection, when it was checked out of the pool)
        self.idle: list[tuple[Connection, float]] = []
        # Connections of the lane: in a request's transaction, or parked.
        self.owned = 0
        # Requests waiting for one: a parked connection or leave to check one out (None).
        self.waiters: deque[asyncio.Future[tuple[Connection, float] | None]] = deque()

    async def acquire(self) -> tuple[Connection | None, float, list[Connection]]:
        """A parked connection and when it was checked out; or None with leave to check
        one out of the pool. Also the parked ones found due back to the pool (the caller
        closes them)."""
        stale: list[Connection] = []
        now = time.monotonic()
        while self.idle:
            connection, since = self.idle.pop()
            self._unpark(connection)
            if now - since < LANE_SECONDS and not connection.invalidated:
                self._free(len(stale))
                return connection, since, stale
            stale.append(connection)
        if stale:  # one of their places is this request's
            self._free(len(stale) - 1)
            return None, now, stale
        if self.owned < self.keep:
            self.owned += 1
            return None, now, stale
        got = await self._wait()
        if got is None:
            return None, time.monotonic(), stale
        return got[0], got[1], stale

    async def _wait(self) -> tuple[Connection, float] | None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[tuple[Connection, float] | None] = loop.create_future()
        self.waiters.append(future)
        timeout = getattr(self.engine.pool, "timeout", None)
        seconds = float(timeout()) if callable(timeout) else 30.0

        def expire() -> None:
            if not future.done():
                future.set_exception(PoolTimeout(
                    f"all {self.keep} connections of the request path stayed in use for"
                    f" {seconds:g} s"))

        timer = loop.call_later(seconds, expire)
        try:
            return await future
        except asyncio.CancelledError:
            # Cancelled (the client went away) after a connection was handed over: pass
            # it on, so that it is not lost to the lane.
            if future.done() and not future.cancelled() and future.exception() is None:
                handed = future.result()
                if handed is None:
                    self._free(1)
                elif not self.park(*handed):  # to be given back to the pool instead
                    closing = asyncio.ensure_future(greenlet_spawn(handed[0].close))
                    _CLOSING.add(closing)
                    closing.add_done_callback(_CLOSING.discard)
            raise
        finally:
            timer.cancel()

    def _free(self, places: int) -> None:
        """``places`` connections left the lane (given back to the pool): a waiting request
        takes each place, else the lane holds fewer."""
        for _ in range(places):
            while self.waiters:
                waiter = self.waiters.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    break
            else:
                self.owned -= 1

    def _unpark(self, connection: Connection) -> None:
        events = self.engine.pool.dispatch.checkout
        if events:
            events(connection.connection.dbapi_connection, None, None)

    def drain(self) -> list[Connection]:
        """Every parked connection (the caller closes them)."""
        taken = [c for c, _ in self.idle]
        self.idle = []
        for connection in taken:
            self._unpark(connection)
        self._free(len(taken))
        return taken

    def lost(self) -> None:
        """A connection of the lane went back to the pool (the caller closes it)."""
        self._free(1)

    def park(self, connection: Connection, since: float) -> bool:
        """Hand ``connection`` (no transaction left on it) to a waiting request, or keep it
        for the next one; False when the caller must give it back to the pool instead."""
        driver: Any = connection.connection.driver_connection
        if (connection.invalidated or driver.broken
                or driver.pgconn.transaction_status != IDLE  # closed: UNKNOWN
                or time.monotonic() - since >= LANE_SECONDS):
            self._free(1)
            return False
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result((connection, since))  # still in use: no events
                return True
        events = self.engine.pool.dispatch.checkin
        if events:
            events(connection.connection.dbapi_connection, None)
        self.idle.append((connection, since))
        return True


def _lane(engine: AsyncEngine) -> _Lane:
    sync = engine.sync_engine
    lane: _Lane | None = sync.__dict__.get(_LANE_ATTRIBUTE)
    if lane is None:
        lane = _Lane(sync)
        setattr(sync, _LANE_ATTRIBUTE, lane)
    return lane


async def close_lane(engine: AsyncEngine) -> None:
    """Give every parked connection of ``engine`` back to its pool: before
    ``engine.dispose()``, which closes only the connections in the pool."""
    lane: _Lane | None = engine.sync_engine.__dict__.get(_LANE_ATTRIBUTE)
    if lane is not None:
        await greenlet_spawn(_close_all, lane.drain())


def _close_all(connections: list[Connection]) -> None:
    for connection in connections:
        connection.close()


IDLE = psycopg.pq.TransactionStatus.IDLE
# Connections being given back from a cancelled wait (referenced until closed).
_CLOSING: set[asyncio.Future[Any]] = set()


class DriverTransaction:
    """A request's one transaction, driven on the pooled connection's psycopg connection.

    Why not an ``AsyncSession``: its lifecycle alone (checkout, BEGIN and ``set_config``,
    COMMIT, close: session and transaction state, a greenlet hop for each step) measured
    ~1.3 ms of CPU — more than the baseline's whole request — before any query ran. Here
    the connection is SQLAlchemy's own (its pool opens, recycles and invalidates it),
    taken from the engine's lane (``_Lane``: no checkout per request) and the statements —
    ``set_config``, the principal, the hot reads, COMMIT — go straight to psycopg, which
    sends BEGIN before the first. An ORM session, when a handler asks for one, is bound to
    this same connection (``rapport.web.request_session``), and SQLAlchemy's transaction
    is made only when that session begins (``join``, from ``rapport.db.session``): it joins
    this transaction — same tenant, same forced RLS, one COMMIT.

    The engine's ``begin``, ``commit`` and ``rollback`` listeners fire once each, as for
    any transaction (the query-count tests count them): ``begin`` when SQLAlchemy learns of
    the transaction — when an ORM session joins it, else when it ends, just before its
    ``commit`` or ``rollback`` — so in a listener's sequence it may follow the statements
    psycopg sent after BEGIN. With no listener nothing is dispatched.

    No pre-ping: a pooled connection the server dropped fails at ``set_config``, the first
    statement; then the pool forgets every connection opened before it (as SQLAlchemy does
    for a disconnect), the lane gives back the ones it parked, and the transaction begins
    once more on a fresh one.
    """

    __slots__ = ("connection", "driver", "info", "lane", "root", "since", "tenant_id",
                 "user_id")

    def __init__(self, connection: Connection, lane: _Lane, since: float,
                 tenant_id: uuid.UUID, user_id: uuid.UUID | None,
                 info: dict[str, Any]) -> None:
        self.connection: Connection | None = connection
        self.driver: Any = connection.connection.driver_connection
        self.lane = lane
        self.since = since
        self.tenant_id = tenant_id
        self.user_id = user_id
        self.info = info
        self.root: Any = None  # SQLAlchemy's transaction, once an ORM session joined

    def owns(self, connection: Connection) -> bool:
        """Whether ``connection`` is in this transaction, whose tenant is set."""
        return (self.root is not None and connection is self.connection
                and connection.get_transaction() is self.root)

    @classmethod
    async def begin(
        cls, engine: AsyncEngine, tenant_id: uuid.UUID, user_id: uuid.UUID | None,
        info: dict[str, Any] | None = None,
    ) -> DriverTransaction:
        """A connection whose transaction runs in the tenant's context."""
        # BEGIN goes with the tenant's context: psycopg, left to itself, sends BEGIN alone
        # before the first statement, one more round trip on every request. So the driver
        # is in autocommit mode while this transaction lives (psycopg then sends no BEGIN
        # of its own, and COMMIT or ROLLBACK still end the one begun here), and back out
        # of it before the connection is parked or given back (``end``, ``_drop``).
        opening = begin_in_context(tenant_id, user_id)
        lane = _lane(engine)
        for attempt in (1, 2):
            parked, since, stale = await lane.acquire()
            if parked is None:
                try:
                    connection = await greenlet_spawn(_checkout, engine.sync_engine, stale)
                except BaseException:
                    lane.lost()
                    raise
            else:
                connection = parked
                if stale:
                    await greenlet_spawn(_close_all, stale)
            tx = cls(connection, lane, since, tenant_id, user_id, {} if info is None else info)
            try:
                await tx.driver.set_autocommit(True)
                await _send(connection, tx.driver, opening, None)
            except psycopg.OperationalError as exc:
                dead = bool(tx.driver.closed or tx.driver.broken)
                others = lane.drain() if dead else []
                lane.lost()
                await greenlet_spawn(_drop, connection, exc if dead else None, others)
                tx.connection = None
                if attempt == 2 or not dead:
                    raise
                continue
            except BaseException:
                # Anything else (a cancelled request among them): the connection goes
                # back, its transaction rolled back and autocommit off, its place freed.
                lane.lost()
                await greenlet_spawn(_drop, connection, None, [])
                tx.connection = None
                raise
            return tx
        raise AssertionError("unreachable")

    def live(self) -> tuple[Connection, Any]:
        if self.connection is None:
            raise RuntimeError("the request's transaction has ended")
        return self.connection, self.driver

    def join(self) -> Connection:
        """The connection, in SQLAlchemy's transaction, for an ORM session to join (its
        statements then run in this transaction; its ``after_begin`` sends nothing more)."""
        connection, _ = self.live()
        if self.root is None:
            self.root = connection.begin()  # bookkeeping and the begin event; nothing sent
        return connection

    async def end(self, commit: bool, session: AsyncSession | None = None) -> None:
        """COMMIT (``commit``) or roll back, then park the connection for the next request
        (or give it back to the pool); with ``session`` (an ORM session joined to this
        transaction) its pending changes are flushed first and it is closed. Ending twice
        is a no-op."""
        connection, self.connection = self.connection, None
        if connection is None:
            return
        if self.root is not None:
            # SQLAlchemy's transaction (an ORM session joined): one greenlet hop, as before.
            try:
                await greenlet_spawn(
                    _end, connection, commit, None if session is None else session.sync_session)
                await self.driver.set_autocommit(False)  # the transaction is over (``begin``)
            except BaseException:
                self.lane.lost()
                await greenlet_spawn(_drop, connection, None, [])
                raise
        else:
            try:
                if _listened(connection):
                    connection.dispatch.begin(connection)
                    if commit:
                        connection.dispatch.commit(connection)
                    else:
                        connection.dispatch.rollback(connection)
                await (self.driver.commit() if commit else self.driver.rollback())
                await self.driver.set_autocommit(False)  # the transaction is over (``begin``)
            except BaseException as exc:
                dead = bool(self.driver.closed or self.driver.broken)
                parked = self.lane.drain() if dead else []
                self.lane.lost()
                await greenlet_spawn(_drop, connection, exc if dead else None, parked)
                raise
        if not self.lane.park(connection, self.since):
            await greenlet_spawn(connection.close)


def _checkout(engine: Engine, stale: list[Connection]) -> Connection:
    _close_all(stale)
    return engine.connect()


def _drop(connection: Connection, dead: BaseException | None,
          parked: list[Connection]) -> None:
    """Give back a connection whose statement failed; when it was dead, forget it and
    every connection pooled before it (SQLAlchemy's own handling of a disconnect), and the
    ones the lane had parked, which the pool checks again at their next checkout."""
    if dead is not None:
        connection.engine.pool._invalidate(connection.connection, dead)
    else:
        _out_of_autocommit(connection)
    connection.close()
    _close_all(parked)


def _out_of_autocommit(connection: Connection) -> None:
    """A connection of a transaction that failed, back to the pool's ways (``begin``: in
    autocommit mode while the transaction lives): what is left of the transaction rolled
    back, autocommit off; one that cannot be is forgotten by the pool."""
    dbapi: Any = connection.connection.dbapi_connection
    if dbapi is None or dbapi.closed or not dbapi.autocommit:
        return
    try:
        dbapi.rollback()
        dbapi.autocommit = False
    except psycopg.Error:
        connection.invalidate()


def _end(connection: Connection, commit: bool, session: Any) -> None:
    if session is not None and session.in_transaction():
        if commit:
            session.commit()  # flushes; the joined transaction is committed below
        session.close()
    if connection.in_transaction():
        if commit:
            connection.commit()
        else:
            connection.rollback()
