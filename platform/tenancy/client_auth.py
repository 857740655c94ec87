"""Authentication of an API client's bearer token: its principal (tenant, client, scopes;
no user) from one query that also checks the client is not revoked and its secret was not
rotated since the token was issued, then the scope gate for the route asked.

Called by ``rapport.web.auth`` for tokens whose header says they are a client's."""

from __future__ import annotations

import functools
from typing import Any

import structlog
from litestar.connection import ASGIConnection
from litestar.middleware import AuthenticationResult
from sqlalchemy import Integer, Select, Uuid, bindparam, select

from rapport.core.modules.enabled import enabled_array
from rapport.db import direct
from rapport.errors import unauthorized
from rapport.hooks import PluginRegistry
from rapport.tenancy.api_clients import ApiClient
from rapport.tenancy.client_tokens import ClientClaims, read_client_token
from rapport.tenancy.config_cache import VERSIONS_KEY
from rapport.tenancy.models import Tenant
from rapport.tenancy.principal import Principal
from rapport.tenancy.scopes import client_roles, require_scope
from rapport.tenancy.tokens import TokenInvalid
from rapport.web.request_session import authentication_session

# The header a client may send to name the tenant it expects (rapport.web.auth's).
TENANT_HEADER = "x-rapport-tenant"


@functools.cache
def _client_statement() -> Select[Any]:
    clients, tenants = ApiClient.__table__, Tenant.__table__
    c, t = clients.c, tenants.c
    tenant_id = bindparam("tenant_id", type_=Uuid())
    return (
        select(c.id, c.name, t.id, t.slug, t.name, t.config_version, enabled_array(tenant_id))
        .select_from(clients)
        .join(tenants, t.id == c.tenant_id)
        .where(
            c.tenant_id == tenant_id,
            c.id == bindparam("client_id", type_=Uuid()),
            c.revoked_at.is_(None),
            c.secret_version == bindparam("secret_version", type_=Integer()),
            t.status == "active",
        )
    )


async def _load(connection: ASGIConnection, claims: ClientClaims) -> Principal | None:
    async with authentication_session(connection, claims.tenant_id, claims.client_id) as session:
        row = await direct.fetch_one(
            session, _client_statement(),
            {"tenant_id": claims.tenant_id, "client_id": claims.client_id,
             "secret_version": claims.secret_version},
        )
        if row is not None:
            session.info.setdefault(VERSIONS_KEY, {})[row[2]] = row[5]
    if row is None:
        return None
    modules = frozenset(row[6] or ())
    registry: PluginRegistry = connection.app.state.registry
    role, kernel_role = client_roles(claims.scopes, modules, registry)
    # The client's id stands in for the user and the membership (as a federation peer's
    # does); ``client_id`` says it is a client, and the audit log names it as such.
    return Principal(
        row[0], "", row[1], row[2], row[3], row[4], row[0], role,
        kernel_role=kernel_role, modules=modules, client_id=row[0], scopes=claims.scopes,
    )


async def authenticate_client(connection: ASGIConnection, token: str) -> AuthenticationResult:
    """The client behind ``token``, allowed this request; 401 for a bad, expired, revoked or
    rotated-away token, 403 for a route outside its scopes or a person's own."""
    try:
        claims = read_client_token(connection.app.state.settings.secret_key, token)
    except TokenInvalid as exc:
        raise unauthorized("The token is invalid or expired") from exc
    principal = await _load(connection, claims)
    if principal is None:
        raise unauthorized("The token is invalid or expired")
    asked = connection.headers.get(TENANT_HEADER)
    if asked and asked not in (principal.tenant_slug, str(principal.tenant_id)):
        # As for a person's token: a header may name the expected tenant, never switch it.
        raise unauthorized("The token does not belong to the requested tenant")
    require_scope(claims.scopes, str(connection.scope.get("method", "GET")), connection.url.path)
    # Every request of a client is attributed to it: its writes in the audit log
    # (actor_client_id), and each request's access-log line (reads included) names it.
    structlog.contextvars.bind_contextvars(api_client=str(principal.client_id),
                                           tenant_id=str(principal.tenant_id))
    return AuthenticationResult(user=principal, auth=claims)
