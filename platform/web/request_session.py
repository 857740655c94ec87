"""One transaction per authenticated request: authentication begins it in the caller's
tenant, the handler works in it, and it ends before the answer goes out.

The transaction runs on the pooled connection's psycopg driver
(``rapport.db.direct.DriverTransaction``): ``set_config``, the principal query and the
hot reads go straight to psycopg. An ORM session exists only once something asks for it
(the ``db`` dependency, the console's frame, a billing check): it is bound to the same
connection and joins the same transaction (``join_transaction_mode`` "conservative_
savepoint": its commit flushes, the transaction itself is committed here), with the same
tenant in its ``info`` (the per-statement criteria) and in ``set_config`` (forced RLS). A
session that is never used sends nothing and costs nothing but its object.

``provide_db`` commits (or rolls back) when the handler is done, which Litestar does
before it sends the answer, so a failed commit is still the client's error response.
Whatever is left open — a handler without ``db`` (one that takes ``reads``), a refused
request — is rolled back and its connection returned once the answer is sent (by the
app's route middleware, ``rapport.web.request_id.request_middleware``): the client does
not wait for that ROLLBACK's round trip. A streamed answer's transaction ends before its
first part goes instead (it may stream for long).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar.connection import ASGIConnection
from litestar.types import Scope
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from rapport.db.direct import TRANSACTION_KEY, DriverTransaction
from rapport.db.session import TENANT_KEY, USER_KEY, tenant_session

STATE_KEY = "rapport.request_session"


class RequestSession:
    """The request's transaction, begun on first use (public paths never begin one), and
    its ORM session, made on first ask."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope
        self._tx: DriverTransaction | None = None
        self._session: AsyncSession | None = None

    async def begin(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> DriverTransaction:
        if self._tx is None:
            state = self._scope["litestar_app"].state
            self._tx = await DriverTransaction.begin(state.engine, tenant_id, user_id)
        elif self._tx.tenant_id != tenant_id:
            raise RuntimeError("a request's transaction belongs to one tenant")
        return self._tx

    async def open(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> AsyncSession:
        """The ORM session in the request's transaction (begun if it was not yet)."""
        await self.begin(tenant_id, user_id)
        session = self.session
        assert session is not None
        return session

    @property
    def transaction(self) -> DriverTransaction | None:
        return self._tx

    @property
    def session(self) -> AsyncSession | None:
        """The ORM session joined to the request's transaction; None before it began."""
        if self._session is None and self._tx is not None:
            state = self._scope["litestar_app"].state
            tx = self._tx
            # Joined to the transaction when it begins (rapport.db.session).
            bound = AsyncConnection(state.engine, tx.live()[0])
            self._session = state.sessionmaker(bind=bound, info={
                **tx.info, TENANT_KEY: tx.tenant_id, USER_KEY: tx.user_id,
                TRANSACTION_KEY: tx})
        return self._session

    async def commit(self) -> None:
        """Flush the ORM session (if one was made) and COMMIT; the connection goes back."""
        await self._end(commit=True)

    async def close(self) -> None:
        """Roll back what nobody committed and give the connection back."""
        await self._end(commit=False)

    async def _end(self, commit: bool) -> None:
        tx, session = self._tx, self._session
        self._tx = self._session = None
        if tx is not None:
            await tx.end(commit, session)


def request_session(scope: Scope) -> RequestSession | None:
    state: dict[str, Any] = scope.get("state", {})
    return state.get(STATE_KEY)


@asynccontextmanager
async def authentication_session(
    connection: ASGIConnection[Any, Any, Any, Any], tenant_id: uuid.UUID, user_id: uuid.UUID
) -> AsyncIterator[DriverTransaction | AsyncSession]:
    """Where authentication runs its query: the request's transaction, left open for the
    handler; a transaction of its own only where no request session is kept. Either has
    the ``info`` the principal's extras are noted in, and takes ``rapport.db.direct``
    reads."""
    holder = request_session(connection.scope)
    if holder is None:
        async with tenant_session(connection.app.state.sessionmaker, tenant_id,
                                  user_id) as session:
            yield session
    else:
        yield await holder.begin(tenant_id, user_id)
