"""Prebuilt reads sent straight through the transaction's psycopg connection
(``rapport.db.direct``): the same rows as SQLAlchemy's execution, both isolation locks kept,
and every statement still seen by the engine's listeners; and the request's transaction on
the driver, with the ORM session that joins it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
import pytest
from sqlalchemy import String, Uuid, bindparam, event, func, literal, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeDecorator

from rapport.core.contacts.models import Contact
from rapport.db import direct
from rapport.db.direct import DriverTransaction
from rapport.db.session import make_engine, make_sessionmaker, tenant_session


class Shouted(TypeDecorator[str]):
    """A type with a Python-side bind and result step, which the direct path must apply."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else value + "!"

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else value.upper()


def run_in_tenant(database: Any, tenant_id: str,
                  work: Callable[[AsyncSession], Awaitable[Any]]) -> tuple[Any, list[str]]:
    sent: list[str] = []

    async def go() -> Any:
        engine = make_engine(database.app_url, pool_size=1)
        event.listen(engine.sync_engine, "before_cursor_execute",
                     lambda conn, cursor, sql, *args: sent.append(sql))
        # Paired with the first (as tracing's spans pair them): an ended mark per statement.
        event.listen(engine.sync_engine, "after_cursor_execute",
                     lambda conn, cursor, sql, *args: sent.append("ended"))
        try:
            async with tenant_session(make_sessionmaker(engine), uuid.UUID(tenant_id)) as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(go()), sent


def _contacts_of(tenant: Any, client: Any, count: int) -> list[str]:
    ids = []
    for n in range(count):
        r = client.post("/api/v1/contacts", headers=tenant.headers,
                        json={"given_name": f"Direct{n}", "family_name": "Reader"})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    return ids


def _listing() -> Any:
    # A fixed IN list (rendered once), a per-call bind through a type with a bind step, and
    # result columns with and without a result step.
    return (
        select(Contact.id, Contact.given_name,
               literal("shout", Shouted()).label("shouted"),
               bindparam("echo", type_=Shouted()).label("echo"))
        .where(Contact.tenant_id == bindparam("tenant", type_=Uuid()),
               Contact.family_name.in_(["Reader", "Nobody"]))
        .order_by(Contact.id)
    )


def test_direct_rows_are_sqlalchemys_rows_and_the_engine_sees_the_statement(
        client, tenant, database):
    ids = _contacts_of(tenant, client, 2)
    statement = _listing()
    params = {"tenant": uuid.UUID(tenant.id), "echo": "hi"}

    async def both(session: AsyncSession) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        connection = await session.connection()
        through_sqlalchemy = [tuple(r) for r in await connection.execute(statement, params)]
        return through_sqlalchemy, list(await direct.fetch_all(session, statement, params))

    (expected, got), sent = run_in_tenant(database, tenant.id, both)
    assert got == expected
    assert [str(r[0]) for r in got] == ids
    assert {r[2] for r in got} == {"SHOUT!"} and {r[3] for r in got} == {"HI!"}
    # set_config, SQLAlchemy's statement, then the direct one, listed like any other.
    assert sent[1::2] == ["ended"] * 3 and "given_name" in sent[4]


def test_direct_reads_keep_forced_rls(client, tenant, other_tenant, database):
    # The statement asks for the other tenant's contacts by its id: the explicit filter is
    # the statement's, and forced RLS in the transaction's tenant still answers nothing.
    _contacts_of(other_tenant, client, 1)
    params = {"tenant": uuid.UUID(other_tenant.id), "echo": "x"}

    async def read(session: AsyncSession) -> Any:
        return await direct.fetch_one(session, _listing(), params)

    found, _ = run_in_tenant(database, tenant.id, read)
    assert found is None


def test_an_in_list_given_per_call_is_refused(tenant, database):
    statement = select(Contact.id).where(
        Contact.tenant_id == bindparam("tenant", type_=Uuid()),
        Contact.id.in_(bindparam("ids", expanding=True)))

    async def read(session: AsyncSession) -> Any:
        return await direct.fetch_all(session, statement, {"tenant": uuid.UUID(tenant.id),
                                                           "ids": [uuid.uuid4()]})

    with pytest.raises(ValueError, match="expanding parameter"):
        run_in_tenant(database, tenant.id, read)


def test_a_failing_statement_still_ends_its_event_pair(tenant, database):
    statement = select(Contact.id).where(
        Contact.tenant_id == bindparam("tenant", type_=Uuid()),
        Contact.id == bindparam("id", type_=Uuid()))

    async def read(session: AsyncSession) -> Any:
        try:
            await direct.fetch_all(session, statement, {"tenant": uuid.UUID(tenant.id),
                                                        "id": "not a uuid"})
        except psycopg.DataError:
            return "refused"
        return "read"

    refused, sent = run_in_tenant(database, tenant.id, read)
    assert refused == "refused" and sent[-2:] == [sent[-2], "ended"] and "contacts" in sent[-2]


# The request's transaction on the driver (rapport.db.direct.DriverTransaction) and the ORM
# session a handler gets in it (rapport.web.request_session.RequestSession).


def _holder(engine: Any) -> Any:
    from types import SimpleNamespace

    from rapport.web.request_session import RequestSession

    # What the middleware hands RequestSession: the app, whose state has the engine and
    # the sessionmaker (here this test's own, on this test's event loop).
    app = SimpleNamespace(state=SimpleNamespace(engine=engine,
                                                sessionmaker=make_sessionmaker(engine)))
    return RequestSession({"litestar_app": app})


def _counting(engine: Any) -> list[str]:
    sent: list[str] = []
    sync = engine.sync_engine
    event.listen(sync, "before_cursor_execute", lambda conn, cur, sql, *a: sent.append(sql))
    for name in ("begin", "commit", "rollback"):
        event.listen(sync, name, lambda conn, name=name: sent.append(name.upper()))
    return sent


XACT = select(literal_column("pg_current_xact_id()::text"),
              literal_column("current_setting('rapport.tenant_id')"))


def test_the_orm_session_joins_the_request_transaction(client, tenant, other_tenant, database):
    # One transaction: the driver's reads and the ORM's statements see the same
    # transaction id and tenant; one BEGIN, one set_config, one COMMIT; the ORM's write is
    # committed with it, and the ORM's reads keep both locks (criteria and forced RLS).
    theirs = _contacts_of(other_tenant, client, 1)[0]
    tenant_id = uuid.UUID(tenant.id)

    async def go() -> tuple[Any, ...]:
        engine = make_engine(database.app_url, pool_size=1)
        sent = _counting(engine)
        try:
            holder = _holder(engine)
            tx = await holder.begin(tenant_id, None)
            by_driver = await direct.fetch_one(tx, XACT, {})
            session = holder.session
            by_orm = tuple((await session.execute(XACT)).one())
            session.add(Contact(tenant_id=tenant_id, given_name="Joined",
                                family_name="Orm", display_name="Joined Orm"))
            other = await session.get(Contact, (uuid.UUID(other_tenant.id), uuid.UUID(theirs)))
            hidden = await direct.fetch_one(session, select(Contact.id).where(
                Contact.tenant_id == bindparam("t", type_=Uuid()),
                Contact.id == bindparam("id", type_=Uuid())),
                {"t": uuid.UUID(other_tenant.id), "id": uuid.UUID(theirs)})
            await holder.commit()
            async with tenant_session(make_sessionmaker(engine), tenant_id) as check:
                kept = (await check.execute(select(func.count()).select_from(Contact).where(
                    Contact.tenant_id == tenant_id, Contact.given_name == "Joined"))).scalar()
            return by_driver, by_orm, other, hidden, kept, sent
        finally:
            await direct.close_lane(engine)
            await engine.dispose()

    by_driver, by_orm, other, hidden, kept, sent = asyncio.run(go())
    assert by_driver == by_orm and by_driver[1] == tenant.id
    assert other is None and hidden is None
    assert kept == 1
    request = sent[:sent.index("COMMIT") + 1]
    assert request.count("BEGIN") == 1 and request.count("COMMIT") == 1
    assert sum("set_config" in s for s in request) == 1
    assert "ROLLBACK" not in request


def test_an_unfinished_request_transaction_is_rolled_back(tenant, database):
    tenant_id = uuid.UUID(tenant.id)

    async def go() -> int:
        engine = make_engine(database.app_url, pool_size=1)
        try:
            holder = _holder(engine)
            session = await holder.open(tenant_id, None)
            session.add(Contact(tenant_id=tenant_id, given_name="Never", family_name="Kept",
                                display_name="Never Kept"))
            await session.flush()
            await holder.close()  # the response started, nobody committed
            async with tenant_session(make_sessionmaker(engine), tenant_id) as check:
                return int((await check.execute(select(func.count()).select_from(Contact).where(
                    Contact.tenant_id == tenant_id, Contact.given_name == "Never"))).scalar())
        finally:
            await direct.close_lane(engine)
            await engine.dispose()

    assert asyncio.run(go()) == 0


def test_a_dead_pooled_connection_is_replaced_at_the_first_statement(tenant, database):
    # No pre-ping: the server ends the pooled connection's backend; the next request's
    # set_config fails on it, the pool drops it and the transaction begins on a fresh one.
    tenant_id = uuid.UUID(tenant.id)
    pid_of = select(literal_column("pg_backend_pid()"))

    async def go() -> tuple[int, int, str, list[str]]:
        engine = make_engine(database.app_url, pool_size=1, max_overflow=0)
        sent = _counting(engine)
        try:
            first = await DriverTransaction.begin(engine, tenant_id, None)
            (pid,) = await direct.fetch_one(first, pid_of, {}) or (0,)
            await first.end(commit=True)
            with database.connect_superuser() as su:
                su.execute("SELECT pg_terminate_backend(%s)", (pid,))
            second = await DriverTransaction.begin(engine, tenant_id, None)
            (again,) = await direct.fetch_one(second, pid_of, {}) or (0,)
            (tenant_seen,) = await direct.fetch_one(second, select(
                literal_column("current_setting('rapport.tenant_id')")), {}) or ("",)
            await second.end(commit=True)
            return pid, again, tenant_seen, sent
        finally:
            await direct.close_lane(engine)
            await engine.dispose()

    pid, again, tenant_seen, sent = asyncio.run(go())
    assert again != pid and tenant_seen == tenant.id
    # set_config: the first transaction's, the one that met the dead connection, the retry;
    # and no ping on any checkout.
    assert sum("set_config" in s for s in sent) == 3
    assert not any(s.strip().upper() in ("SELECT 1", ";") for s in sent)


def test_the_lane_reuses_a_connection_without_a_checkout_and_gives_it_back(
        tenant, database, monkeypatch):
    # Two transactions in a row run on one backend with one pool checkout: the second takes
    # the connection the first parked. The pool's checkout and checkin events follow it in
    # and out of the lane (the pool gauge counts connections in use); past LANE_SECONDS a
    # parked connection goes back to the pool, and close_lane gives back the rest.
    tenant_id = uuid.UUID(tenant.id)
    pid_of = select(literal_column("pg_backend_pid()"))

    async def go() -> tuple[list[int], list[str], int, int]:
        engine = make_engine(database.app_url, pool_size=2)
        pool_events: list[str] = []
        event.listen(engine.sync_engine, "checkout", lambda *a: pool_events.append("out"))
        event.listen(engine.sync_engine, "checkin", lambda *a: pool_events.append("in"))
        real_checkouts = [0]
        connect = engine.sync_engine.connect

        def counted_connect() -> Any:
            real_checkouts[0] += 1
            return connect()

        monkeypatch.setattr(engine.sync_engine, "connect", counted_connect)
        pids = []
        try:
            for _ in range(2):
                tx = await DriverTransaction.begin(engine, tenant_id, None)
                (pid,) = await direct.fetch_one(tx, pid_of, {}) or (0,)
                pids.append(pid)
                await tx.end(commit=True)
            first_round = real_checkouts[0]
            monkeypatch.setattr(direct, "LANE_SECONDS", 0.0)
            tx = await DriverTransaction.begin(engine, tenant_id, None)
            await tx.end(commit=True)  # due back: closed into the pool, not parked
            parked_after = len(direct._lane(engine).idle)
            await direct.close_lane(engine)
            return pids, pool_events, first_round, parked_after
        finally:
            await engine.dispose()

    pids, pool_events, first_round, parked_after = asyncio.run(go())
    assert pids[0] == pids[1] and first_round == 1
    assert parked_after == 0
    # Every checkout has its checkin: the gauge ends where it began.
    assert pool_events.count("out") == pool_events.count("in") > 0


def test_a_request_waits_for_the_lane_and_the_pools_overflow_stays_free(tenant, database):
    # pool_size 1: the lane holds one connection. A second transaction waits for it (and
    # runs on the same backend, no second checkout), while an ORM session outside the
    # request path still gets a connection from the pool's overflow meanwhile.
    tenant_id = uuid.UUID(tenant.id)
    pid_of = select(literal_column("pg_backend_pid()"))

    async def go() -> tuple[int, int, int, int]:
        engine = make_engine(database.app_url, pool_size=1, max_overflow=1)
        try:
            first = await DriverTransaction.begin(engine, tenant_id, None)
            (pid,) = await direct.fetch_one(first, pid_of, {}) or (0,)
            second = asyncio.ensure_future(DriverTransaction.begin(engine, tenant_id, None))
            await asyncio.sleep(0.05)
            waiting = int(not second.done())
            async with tenant_session(make_sessionmaker(engine), tenant_id) as other:
                (outside,) = (await other.execute(pid_of)).one()
            await first.end(commit=True)
            tx = await second
            (again,) = await direct.fetch_one(tx, pid_of, {}) or (0,)
            await tx.end(commit=True)
            await direct.close_lane(engine)
            return waiting, pid, again, outside
        finally:
            await engine.dispose()

    waiting, pid, again, outside = asyncio.run(go())
    assert waiting == 1
    assert again == pid and outside != pid


def test_the_transaction_begins_with_its_tenant_in_one_round_trip(tenant, database,
                                                                   monkeypatch):
    # BEGIN travels with the tenant's set_config: psycopg sends no BEGIN of its own (it
    # would be a round trip alone), the driver is in autocommit mode only while the
    # transaction lives, and the statements after it still run in that one transaction.
    tenant_id = uuid.UUID(tenant.id)
    own_begins: list[bytes] = []
    real = psycopg.AsyncConnection._exec_command

    def spying(self: Any, command: Any, *args: Any, **kwargs: Any) -> Any:
        if bytes(command).strip().upper().startswith(b"BEGIN"):
            own_begins.append(bytes(command))
        return real(self, command, *args, **kwargs)

    monkeypatch.setattr(psycopg.AsyncConnection, "_exec_command", spying)

    async def go() -> tuple[list[str], bool, tuple[Any, ...], bool]:
        engine = make_engine(database.app_url, pool_size=1)
        try:
            # The engine's first connection is set up by SQLAlchemy (its own statements).
            await (await DriverTransaction.begin(engine, tenant_id, None)).end(commit=True)
            own_begins.clear()
            sent = _counting(engine)
            tx = await DriverTransaction.begin(engine, tenant_id, None)
            during = tx.live()[1].autocommit
            first = await direct.fetch_one(tx, XACT, {}) or ()
            second = await direct.fetch_one(tx, XACT, {}) or ()
            driver = tx.live()[1]
            await tx.end(commit=True)
            assert first == second  # one transaction
            return sent, during, first, driver.autocommit
        finally:
            await direct.close_lane(engine)
            await engine.dispose()

    sent, during, (xact, seen_tenant), after = asyncio.run(go())
    assert own_begins == []
    assert sent[0].startswith("BEGIN; SELECT set_config('rapport.tenant_id'")
    assert seen_tenant == tenant.id and xact
    assert during is True and after is False


def test_the_context_text_takes_uuids_only(tenant):
    assert str(uuid.UUID(tenant.id)) in direct.begin_in_context(uuid.UUID(tenant.id), None)
    for bad in (tenant.id, "x'); DROP TABLE contacts; --"):
        with pytest.raises(TypeError):
            direct.begin_in_context(bad, None)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            direct.begin_in_context(uuid.UUID(tenant.id), bad)  # type: ignore[arg-type]


def test_a_failed_commit_gives_the_connection_back_out_of_autocommit(tenant, database,
                                                                      monkeypatch):
    # A COMMIT that fails (not a dead connection): the connection goes back to the pool,
    # its transaction rolled back and autocommit off — the next user of the pool (a worker,
    # a CLI session) must get a connection whose statements wait for its own COMMIT.
    tenant_id = uuid.UUID(tenant.id)

    async def go() -> tuple[bool, Any, int]:
        engine = make_engine(database.app_url, pool_size=1, max_overflow=0)
        try:
            tx = await DriverTransaction.begin(engine, tenant_id, None)
            driver = tx.live()[1]

            async def failing_commit() -> None:
                raise psycopg.errors.SerializationFailure("could not serialize access")

            monkeypatch.setattr(driver, "commit", failing_commit)
            with pytest.raises(psycopg.errors.SerializationFailure):
                await tx.end(commit=True)
            monkeypatch.undo()
            async with engine.connect() as again:
                raw: Any = (await again.get_raw_connection()).driver_connection
                await again.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS t_ac (n int)")
                await again.rollback()
                kept = (await again.exec_driver_sql(
                    "SELECT count(*) FROM pg_class WHERE relname = 't_ac'")).scalar_one()
                return raw.autocommit, raw is driver, int(kept)
        finally:
            await direct.close_lane(engine)
            await engine.dispose()

    autocommit, same, kept = asyncio.run(go())
    assert same and autocommit is False
    assert kept == 0  # the rolled-back CREATE left nothing: not autocommitted
