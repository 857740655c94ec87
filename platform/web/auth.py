"""Authentication: the tenant comes from a verified token or session, never from a header alone."""

from __future__ import annotations

import functools
import hmac
import uuid

from litestar.connection import ASGIConnection, Request
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware._utils import should_bypass_middleware
from litestar.types import Receive, Scope, Send
from sqlalchemy import Select, Uuid, bindparam, func, select

from rapport.core.modules import kernel_role_of
from rapport.core.modules.enabled import enabled_array
from rapport.db.session import PREFILTERED
from rapport.errors import unauthorized
from rapport.hooks import PluginRegistry
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
def _principal_statement() -> Select[Membership, User, Tenant, list[str]]:
    """The principal query, built once: every request only binds its three values."""
    tenant_id = bindparam("tenant_id", type_=Uuid())
    user_id = bindparam("user_id", type_=Uuid())
    session_id = bindparam("session_id", type_=Uuid())
    return (
        select(Membership, User, Tenant, enabled_array(tenant_id))
        .join(User, User.id == Membership.user_id)
        .join(Tenant, Tenant.id == Membership.tenant_id)
        .join(
            AuthSession,
            (AuthSession.tenant_id == Membership.tenant_id)
            & (AuthSession.user_id == Membership.user_id),
        )
        .where(
            Membership.tenant_id == tenant_id,
            Membership.user_id == user_id,
            Membership.accepted_at.is_not(None),
            Tenant.status == "active",
            AuthSession.id == session_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > func.now(),
            User.sessions_revoked_before.is_(None)
            | (AuthSession.created_at > User.sessions_revoked_before),
        )
        .execution_options(**{PREFILTERED: True})
    )


async def load_principal(
    connection: ASGIConnection, user_id: uuid.UUID, tenant_id: uuid.UUID, session_id: uuid.UUID
) -> Principal | None:
    """The member behind a token, in the same query that checks the token's session is
    live: not logged out, not revoked by "sign out everywhere" or a new password, and its
    membership accepted and still there."""
    async with authentication_session(connection, tenant_id, user_id) as session:
        row = (
            await session.execute(
                _principal_statement(),
                {"tenant_id": tenant_id, "user_id": user_id, "session_id": session_id},
            )
        ).one_or_none()
    if row is None:
        return None
    m, u, t, names = row
    modules = frozenset(names or ())
    registry: PluginRegistry = connection.app.state.registry
    return Principal.member(u, t, m, modules, kernel_role_of(m.role, modules, registry))


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
