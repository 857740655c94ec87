"""Authentication: the tenant comes from a verified token or session, never from a header alone."""

from __future__ import annotations

import functools
import hmac
import uuid
from typing import Any

from litestar.connection import ASGIConnection, Request
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware._utils import should_bypass_middleware
from litestar.types import Receive, Scope, Send
from sqlalchemy import Select, Uuid, bindparam, func, select

from rapport.core.modules import kernel_role_of
from rapport.core.modules.enabled import enabled_array
from rapport.db import direct
from rapport.errors import unauthorized
from rapport.hooks import PluginRegistry
from rapport.tenancy.client_auth import authenticate_client
from rapport.tenancy.client_tokens import is_client_token
from rapport.tenancy.config_cache import VERSIONS_KEY
from rapport.tenancy.models import AuthSession, Membership, Tenant, User
from rapport.tenancy.principal import Principal
from rapport.tenancy.tokens import SESSION_COOKIE, TokenInvalid, read_access_token
from rapport.web.request_session import authentication_session

CSRF_HEADER = "x-csrf-token"
# Plain HTML forms (the console without JavaScript) send the token as this field instead.
CSRF_FIELD = "_csrf"
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
TENANT_HEADER = "x-rapport-tenant"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _bearer(connection: ASGIConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


@functools.cache
def _principal_statement() -> Select[Any]:
    """The principal query, built once as plain columns of the tables (Core, no ORM
    entities: loading three entities per request was most of authentication's CPU); every
    request only binds its three values."""
    members, users, tenants, sessions = (
        Membership.__table__, User.__table__, Tenant.__table__, AuthSession.__table__)
    m, u, t, s = members.c, users.c, tenants.c, sessions.c
    tenant_id = bindparam("tenant_id", type_=Uuid())
    user_id = bindparam("user_id", type_=Uuid())
    session_id = bindparam("session_id", type_=Uuid())
    return (
        select(u.id, u.email, u.full_name, t.id, t.slug, t.name, m.id, m.role,
               t.config_version, enabled_array(tenant_id), u.email_verified_at.is_not(None))
        .select_from(members)
        .join(users, u.id == m.user_id)
        .join(tenants, t.id == m.tenant_id)
        .join(sessions, (s.tenant_id == m.tenant_id) & (s.user_id == m.user_id))
        .where(
            m.tenant_id == tenant_id,
            m.user_id == user_id,
            m.accepted_at.is_not(None),
            t.status == "active",
            s.id == session_id,
            s.revoked_at.is_(None),
            s.expires_at > func.now(),
            u.sessions_revoked_before.is_(None)
            | (s.created_at > u.sessions_revoked_before),
        )
    )


async def load_principal(
    connection: ASGIConnection, user_id: uuid.UUID, tenant_id: uuid.UUID, session_id: uuid.UUID
) -> Principal | None:
    """The member behind a token, in the same query that checks the token's session is
    live: not logged out, not revoked by "sign out everywhere" or a new password, and its
    membership accepted and still there."""
    async with authentication_session(connection, tenant_id, user_id) as session:
        # Sent straight through the transaction's connection (rapport.db.direct): no ORM
        # entity loading, no execution layer; the statement filters every table by the
        # tenant itself, forced RLS stays the second lock.
        row = await direct.fetch_one(
            session, _principal_statement(),
            {"tenant_id": tenant_id, "user_id": user_id, "session_id": session_id},
        )
        if row is not None:
            # The tenant's configuration version, for the per-tenant caches
            # (rapport.tenancy.config_cache): known now, no statement later.
            session.info.setdefault(VERSIONS_KEY, {})[row[3]] = row[8]
    if row is None:
        return None
    modules = frozenset(row[9] or ())
    registry: PluginRegistry = connection.app.state.registry
    return Principal(
        row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7],
        kernel_role=kernel_role_of(row[7], modules, registry), modules=modules,
        # Whether the address is confirmed, which /me answers: no statement of its own.
        email_verified=bool(row[10]),
    )


async def _sent_csrf(connection: ASGIConnection) -> str:
    """The CSRF token of a cookie session's unsafe request: the header, or for a form post
    the ``_csrf`` field (the parsed form is cached, so the handler reads it again for free)."""
    sent = connection.headers.get(CSRF_HEADER)
    if sent:
        return sent
    content_type = connection.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in FORM_TYPES:
        return ""
    form = await Request(connection.scope, connection.receive).form()
    value = form.get(CSRF_FIELD, "")
    return value if isinstance(value, str) else ""


class TokenAuthentication(AbstractAuthenticationMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The base class's, except that the connection keeps ``receive``: a form post's CSRF
        # field is read from the body (cached in the scope, so the handler reads it again).
        if not should_bypass_middleware(
            exclude_http_methods=self.exclude_http_methods,
            exclude_opt_key=self.exclude_opt_key,
            exclude_path_pattern=self.exclude,
            scope=scope,
            scopes=self.scopes,
        ):
            result = await self.authenticate_request(ASGIConnection(scope, receive))
            scope["user"] = result.user
            scope["auth"] = result.auth
        await self.app(scope, receive, send)

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        settings = connection.app.state.settings
        token = _bearer(connection)
        if token is not None and is_client_token(token):
            # An API client (never a cookie): its own principal and scope gate.
            return await authenticate_client(connection, token)
        via_cookie = False
        if token is None:
            token = connection.cookies.get(SESSION_COOKIE)
            via_cookie = token is not None
        if not token:
            raise unauthorized()
        try:
            claims = read_access_token(settings.secret_key, token)
        except TokenInvalid as exc:
            raise unauthorized("The token is invalid or expired") from exc
        if via_cookie and connection.scope.get("method", "GET") not in SAFE_METHODS:
            sent = await _sent_csrf(connection)
            if not hmac.compare_digest(sent.encode(), claims.csrf.encode()):
                raise unauthorized("Missing or wrong CSRF token for a cookie session")
        principal = await load_principal(
            connection, claims.user_id, claims.tenant_id, claims.session_id
        )
        if principal is None:
            raise unauthorized("The token is invalid or expired")
        asked = connection.headers.get(TENANT_HEADER)
        if asked and asked not in (principal.tenant_slug, str(principal.tenant_id)):
            # A header may name the tenant the client expects; it can never switch it.
            raise unauthorized("The token does not belong to the requested tenant")
        return AuthenticationResult(user=principal, auth=claims)
