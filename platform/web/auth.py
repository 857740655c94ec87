"""Authentication: the tenant comes from a verified token or session, never from a header alone."""

from __future__ import annotations

import hmac
import uuid

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from rapport.db.session import tenant_session
from rapport.errors import unauthorized
from rapport.tenancy.models import Membership, Tenant, User
from rapport.tenancy.principal import Principal
from rapport.tenancy.tokens import TokenInvalid, read_access_token
from sqlalchemy import select

SESSION_COOKIE = "rapport_session"
CSRF_HEADER = "x-csrf-token"
TENANT_HEADER = "x-rapport-tenant"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _bearer(connection: ASGIConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def load_principal(
    connection: ASGIConnection, user_id: uuid.UUID, tenant_id: uuid.UUID
) -> Principal | None:
    maker = connection.app.state.sessionmaker
    async with tenant_session(maker, tenant_id, user_id) as session:
        row = (
            await session.execute(
                select(Membership, User, Tenant)
                .join(User, User.id == Membership.user_id)
                .join(Tenant, Tenant.id == Membership.tenant_id)
                .where(
                    Membership.tenant_id == tenant_id,
                    Membership.user_id == user_id,
                    Tenant.status == "active",
                )
            )
        ).one_or_none()
    if row is None:
        return None
    m, u, t = row
    return Principal(u.id, u.email, u.full_name, t.id, t.slug, t.name, m.id, m.role)


class TokenAuthentication(AbstractAuthenticationMiddleware):
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
            sent = connection.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent.encode(), claims.csrf.encode()):
                raise unauthorized("Missing or wrong CSRF token for a cookie session")
        principal = await load_principal(connection, claims.user_id, claims.tenant_id)
        if principal is None:
            raise unauthorized("The token is invalid or expired")
        asked = connection.headers.get(TENANT_HEADER)
        if asked and asked not in (principal.tenant_slug, str(principal.tenant_id)):
            # A header may name the tenant the client expects; it can never switch it.
            raise unauthorized("The token does not belong to the requested tenant")
        return AuthenticationResult(user=principal, auth=claims)
