"""Prebuilt reads sent straight through the transaction's psycopg connection
(``rapport.db.direct``): the same rows as SQLAlchemy's execution, both isolation locks kept,
and every statement still seen by the engine's listeners."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
import pytest
from sqlalchemy import String, Uuid, bindparam, event, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeDecorator

from rapport.core.contacts.models import Contact
from rapport.db import direct
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
