"""Async engine and sessions that carry the tenant into every transaction.

Lock one: every ORM select/update/delete of a ``TenantScoped`` class gets
``tenant_id = <current>`` added (``with_loader_criteria``). Lock two: each
transaction begins with ``set_config('rapport.tenant_id', …, true)`` (= SET LOCAL,
safe with pooling), which the forced RLS policies read.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import msgspec
from psycopg import _queries
from psycopg.types.json import set_json_loads
from sqlalchemy import event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from rapport.db.base import TenantScoped
from rapport.db.direct import SET_TENANT, TRANSACTION_KEY

TENANT_KEY = "tenant_id"
USER_KEY = "user_id"
CRITERIA_KEY = "rapport.tenant_criteria"
# Execution option of statements built once that filter every tenant table by the tenant
# themselves (tests/test_prebuilt_filters.py checks each): the criteria option would make
# a new statement per execution, whose cache key SQLAlchemy then computes again (the
# largest single cost of a prebuilt statement). Forced RLS stays the second lock.
PREFILTERED = "rapport_prefiltered"


# Every query is scoped to one tenant. psycopg prepares a statement server-side after five
# runs, and PostgreSQL may then switch to a generic plan made without the tenant's
# parameter values, which can scan other tenants' index entries (measured: 3.9 ms → 67 ms
# with 20 neighbours). Never preparing keeps every app query planned with its values,
# while PostgreSQL's own cached plans (foreign-key checks in bulk writes) stay generic —
# forcing custom plans session-wide instead made those re-plan on every row (2x slower).
CONNECT_ARGS: dict[str, object] = {"prepare_threshold": None}


# Connections older than this are replaced at checkout (a server-side idle timeout or a
# proxy may drop them first). Dead connections are not pinged for: see open_session.
POOL_RECYCLE_SECONDS = 1800


# psycopg keeps the parsed form of a query (its placeholders split out) only for queries of
# at most 4 KiB; a longer one is parsed again, with a regular expression, on every
# execution. The contact page is one statement of ~5 KiB (the contact, its lists and every
# area's section), so its parse showed in the request path's profile (~300 Python calls a
# request). Our statements are built once and few, so a larger limit keeps them all parsed
# (psycopg's cache holds 128 queries).
_queries.MAX_CACHED_STATEMENT_LENGTH = max(_queries.MAX_CACHED_STATEMENT_LENGTH, 16 * 1024)


def _json_loads(data: str | bytes) -> Any:
    # json/jsonb columns (a contact's lists and fields, the activity sections: ~4 per row
    # of a list page) decoded by msgspec, several times faster than the standard library
    # with the same values; a number beyond a double's range (which msgspec refuses) falls
    # back to the standard library's reading.
    try:
        return _decode_json(data)
    except msgspec.ValidationError:
        return json.loads(data)


_decode_json = msgspec.json.Decoder().decode


def _on_connect(dbapi_connection: Any, record: Any) -> None:
    set_json_loads(_json_loads, dbapi_connection.driver_connection)


def make_engine(url: URL | str, *, pool_size: int = 10, max_overflow: int = 10) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=POOL_RECYCLE_SECONDS,
        connect_args=CONNECT_ARGS,
    )
    event.listen(engine.sync_engine, "connect", _on_connect)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@event.listens_for(Session, "after_transaction_create")
def _join_request_transaction(session: Session, transaction: Any) -> None:
    # A session bound to a request's transaction (rapport.db.direct.DriverTransaction)
    # joins it when it begins, before it takes the connection: SQLAlchemy's transaction
    # is made only for a request whose handler really uses the ORM (a session made but
    # never used leaves the request's end on psycopg alone).
    joined = session.info.get(TRANSACTION_KEY)
    if joined is not None and transaction.parent is None:
        joined.join()


@event.listens_for(Session, "after_begin")
def _set_tenant_guc(session: Session, transaction: Any, connection: Any) -> None:
    # Attached to the sync Session class, which AsyncSession drives underneath.
    joined = session.info.get(TRANSACTION_KEY)
    if joined is not None and joined.owns(connection):
        # The request's transaction (rapport.db.direct.DriverTransaction), whose tenant was
        # set when it began: nothing to send.
        return
    tenant_id = session.info.get(TENANT_KEY)
    user_id = session.info.get(USER_KEY)
    # The driver's SQL as is: nothing to compile or look up in a cache, every transaction.
    connection.exec_driver_sql(
        SET_TENANT,
        {"tenant": str(tenant_id) if tenant_id else "", "user": str(user_id) if user_id else ""},
    )


@event.listens_for(Session, "do_orm_execute")
def _scope_to_tenant(state: ORMExecuteState) -> None:
    tenant_id = state.session.info.get(TENANT_KEY)
    if tenant_id is None or state.is_column_load or state.is_relationship_load:
        return
    if state.execution_options.get(PREFILTERED):
        return
    if state.is_select or state.is_update or state.is_delete:
        # One option per session and tenant, not one per statement: building it (and its
        # lambda's tracking) each time was a measurable part of every request's CPU.
        made = state.session.info.get(CRITERIA_KEY)
        if made is None or made[0] != tenant_id:
            made = (tenant_id, with_loader_criteria(
                TenantScoped,
                lambda cls: cls.tenant_id == tenant_id,
                include_aliases=True,
            ))
            state.session.info[CRITERIA_KEY] = made
        state.statement = state.statement.options(made[1])


async def open_session(
    maker: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID | None,
    user_id: uuid.UUID | None = None,
) -> AsyncSession:
    """A session whose transaction has begun in the tenant's context (BEGIN and the
    ``set_config`` of ``_set_tenant_guc`` sent).

    A pooled connection the server dropped (the embedded server restarted, a failover)
    fails right here, before the request did anything: SQLAlchemy then invalidates it and
    every connection pooled before it, and the transaction starts once more on a fresh
    one. That replaces a ``SELECT 1`` pre-ping on every checkout — one round trip per
    transaction — with nothing on the way when the server is up.
    """
    for attempt in (1, 2):
        session = maker()
        session.info[TENANT_KEY] = tenant_id
        session.info[USER_KEY] = user_id
        try:
            await session.connection()
        except DBAPIError as exc:
            await session.close()
            if attempt == 2 or not exc.connection_invalidated:
                raise
            continue
        return session
    raise AssertionError("unreachable")


async def finish(session: AsyncSession, error: BaseException | None) -> None:
    """Commit ``session``'s transaction, or roll it back when ``error`` ended it."""
    if error is None:
        await session.commit()
    else:
        await session.rollback()


@asynccontextmanager
async def tenant_session(
    maker: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID | None,
    user_id: uuid.UUID | None = None,
) -> AsyncIterator[AsyncSession]:
    """One transaction in one tenant's context: commit on success, roll back on any error."""
    session = await open_session(maker, tenant_id, user_id)
    try:
        try:
            yield session
        except BaseException as exc:
            await finish(session, exc)
            raise
        await finish(session, None)
    finally:
        await session.close()


async def enter_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Switch an open transaction into ``tenant_id``'s context (used by sign-up and login,
    which learn the tenant only midway)."""
    session.info[TENANT_KEY] = tenant_id
    await session.execute(
        text("SELECT set_config('rapport.tenant_id', :tenant, true)"), {"tenant": str(tenant_id)}
    )
