"""Authentication for the doors peers use instead of member logins.

The kernel's member authentication is switched off on these handlers
(``exclude_from_auth``); these middlewares take its place. The kernel guard that hides a
disabled module reads ``connection.user.modules``, so each door presents a caller: the
public doors (JWKS, token) the deployment itself, whose tenant — if any — the handler
checks; the FHIR doors the peer, acting in the tenant that registered it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from sqlalchemy import select

from rapport.sdk import Principal, Tenant, enabled_array, tenant_session, unauthorized
from rapport_plugins.medical.federation import tokens
from rapport_plugins.medical.federation.models import FederationPeer

MEMBER_DOOR = "medical_member_door"  # never set: the opt key these middlewares obey
PEER_ROLE = "federation_peer"


@dataclass(frozen=True)
class Deployment:
    """The caller of a public federation door: no member, no tenant yet."""

    modules: frozenset[str] = field(default_factory=lambda: frozenset({"medical"}))


class PublicDoor(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        return AuthenticationResult(user=Deployment(), auth=None)


async def peer_principal(
    connection: ASGIConnection, token: tokens.FederationToken
) -> Principal | None:
    """The peer as a principal of the tenant that trusts it (read-only role); None when
    the peer registration or the tenant is gone."""
    modules = enabled_array(token.tenant_id)
    async with tenant_session(connection.app.state.sessionmaker, token.tenant_id) as session:
        row = (
            await session.execute(
                select(FederationPeer, Tenant, modules)
                .join(Tenant, Tenant.id == FederationPeer.tenant_id)
                .where(
                    FederationPeer.tenant_id == token.tenant_id,
                    FederationPeer.id == token.peer_id,
                    FederationPeer.direction == "inbound",
                    FederationPeer.client_id == token.client_id,
                    FederationPeer.removed_at.is_(None),
                    Tenant.status == "active",
                )
            )
        ).one_or_none()
    if row is None:
        return None
    peer, tenant, names = row
    return Principal.peer(
        peer.id, peer.client_id, peer.name, tenant.id, role=PEER_ROLE,
        tenant_slug=tenant.slug, tenant_name=tenant.name, modules=frozenset(names or ()),
    )


class FhirDoor(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise unauthorized("A federation access token is required")
        try:
            token = tokens.read(connection.app.state.settings.secret_key, value.strip())
        except tokens.TokenRefused as exc:
            raise unauthorized("The federation token is invalid or expired") from exc
        principal = await peer_principal(connection, token)
        if principal is None:
            raise unauthorized("The federation token is invalid or expired")
        return AuthenticationResult(user=principal, auth=token)


def peer_id_of(principal: Principal) -> uuid.UUID:
    return principal.user_id
