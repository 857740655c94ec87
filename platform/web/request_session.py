"""One transaction per authenticated request: authentication opens it in the caller's
tenant, the handler's ``db`` runs in it, and it ends before the answer goes out.

Before, authentication had a transaction of its own and the handler another: two
checkouts, two BEGIN / ``set_config`` / COMMIT, per request. Now the session lives in
the ASGI scope from the principal query on; ``provide_db`` commits it (or rolls it back)
when the handler is done, which Litestar does before it sends the answer, so a failed
commit is still the client's error response. Whatever is left open — a handler without
``db``, a refused request — is rolled back and its connection returned when the response
starts (not after the body, which may stream for long).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar.connection import ASGIConnection
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.db.session import TENANT_KEY, open_session, tenant_session

STATE_KEY = "rapport.request_session"


class RequestSession:
    """The request's session, opened on first use (public paths never open one)."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope
        self._session: AsyncSession | None = None

    async def open(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> AsyncSession:
        if self._session is None:
            maker = self._scope["litestar_app"].state.sessionmaker
            self._session = await open_session(maker, tenant_id, user_id)
        elif self._session.info.get(TENANT_KEY) != tenant_id:
            raise RuntimeError("a request's transaction belongs to one tenant")
        return self._session

    @property
    def session(self) -> AsyncSession | None:
        return self._session

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()  # rolls back what nobody committed


def request_session(scope: Scope) -> RequestSession | None:
    state: dict[str, Any] = scope.get("state", {})
    return state.get(STATE_KEY)


@asynccontextmanager
async def authentication_session(
    connection: ASGIConnection[Any, Any, Any, Any], tenant_id: uuid.UUID, user_id: uuid.UUID
) -> AsyncIterator[AsyncSession]:
    """Where authentication runs its query: the request's transaction, left open for the
    handler; a transaction of its own only where no request session is kept."""
    holder = request_session(connection.scope)
    if holder is None:
        async with tenant_session(connection.app.state.sessionmaker, tenant_id,
                                  user_id) as session:
            yield session
    else:
        yield await holder.open(tenant_id, user_id)


def request_session_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        holder = RequestSession(scope)
        scope.setdefault("state", {})[STATE_KEY] = holder

        async def send_after_closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                await holder.close()
            await send(message)

        try:
            await app(scope, receive, send_after_closing)
        finally:
            await holder.close()

    return middleware
