"""HTTP doors of federation: peers (members), the JWKS and token endpoints (public),
and fetching a shared record from a peer deployment."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
import structlog
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.middleware import DefineMiddleware
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody, URLEncodedBody
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.sdk import (
    Principal,
    Settings,
    audit,
    forbidden,
    invalid,
    is_enabled,
    tenant_session,
)
from rapport_plugins.medical.federation import peers, tokens
from rapport_plugins.medical.federation.assertions import (
    AssertionRefused,
    PeerRef,
    tenant_of,
    unverified,
)
from rapport_plugins.medical.federation.assertions import verify as verify_assertion
from rapport_plugins.medical.federation.client import fetch_record
from rapport_plugins.medical.federation.doors import MEMBER_DOOR, PEER_ROLE, PublicDoor
from rapport_plugins.medical.federation.keys import jwks
from rapport_plugins.medical.fhir import scopes
from rapport_plugins.medical.roles import ENCOUNTERS, access_of
from rapport_plugins.medical.schemas import FetchIn, PeerIn, PeerOut, PeerPatch

log = structlog.get_logger("rapport.medical.federation")
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
PUBLIC = {"exclude_from_auth": True}


class TokenForm(msgspec.Struct):
    grant_type: str | None = None
    client_assertion_type: str | None = None
    client_assertion: str | None = None
    scope: str | None = None
    client_id: str | None = None


class TokenOut(msgspec.Struct):
    """An access token (RFC 6749, section 5.1) and the SMART scopes it carries."""

    access_token: str
    token_type: str
    expires_in: int
    scope: str


class JwksOut(msgspec.Struct):
    """A JSON Web Key Set (RFC 7517): this deployment's public signing keys."""

    keys: list[dict[str, Any]]


class OAuthError(msgspec.Struct):
    """An OAuth 2.0 error (RFC 6749, section 5.2), as a token endpoint answers."""

    error: str
    error_description: str


# The token door answers refusals as OAuth clients expect, not as problem documents.
OAUTH_ERRORS = {
    400: ResponseSpec(OAuthError, description="Not client_credentials, or no grantable scope"),
    401: ResponseSpec(OAuthError, description="The client assertion was refused"),
}


def oauth_error(status: int, error: str, description: str) -> Response[Any]:
    return Response(OAuthError(error, description), status_code=status,
                    headers={"Cache-Control": "no-store"})


async def _log_refusal(maker: async_sessionmaker[AsyncSession], refused: AssertionRefused,
                       client: str | None) -> None:
    """Every refusal goes to the log; one naming a registered peer also goes to that
    clinic's audit log (its own transaction: the refused request writes nothing else)."""
    log.warning("medical.federation.assertion_refused", reason=refused.reason,
                client_id=(client or "")[:300], jti=(refused.jti or "")[:200],
                tenant=str(refused.tenant_id) if refused.tenant_id else None)
    peer = refused.peer
    if peer is None:
        return
    actor = Principal.peer(peer.id, peer.client_id, peer.name, peer.tenant_id, role=PEER_ROLE)
    async with tenant_session(maker, peer.tenant_id, peer.id) as session:
        await audit.record(session, actor, "medical.token_refused", "medical.federation_peer",
                           peer.id, detail={"reason": refused.reason, "jti": refused.jti})


class FederationPublicController(Controller):
    """What another deployment calls before it holds a token."""

    path = "/federation"
    opt = PUBLIC
    middleware = [
        DefineMiddleware(PublicDoor, exclude_from_auth_key=MEMBER_DOOR, exclude_http_methods=[])
    ]

    @get("/jwks.json")
    async def jwks(self, request: Request, settings: NamedDependency[Settings]) -> JwksOut:
        """This deployment's public signing keys (for peers that registered us)."""
        return JwksOut(**await jwks(request.app.state.sessionmaker, settings.secret_key))

    @post("/token", status_code=200, responses=OAUTH_ERRORS)
    async def token(
        self, request: Request, data: URLEncodedBody[TokenForm],
        settings: NamedDependency[Settings],
    ) -> Response[TokenOut]:
        """OAuth2 client credentials with a ``private_key_jwt`` client assertion; the
        token carries the SMART scopes granted (only reading, only what was asked)."""
        if data.grant_type != "client_credentials":
            return oauth_error(400, "unsupported_grant_type", "use client_credentials")
        maker = request.app.state.sessionmaker
        assertion = data.client_assertion or ""
        client: str | None = None
        try:
            if data.client_assertion_type != ASSERTION_TYPE or not assertion:
                raise AssertionRefused("a private_key_jwt client assertion is required")
            iss = unverified(assertion)[1].get("iss")
            client = iss if isinstance(iss, str) else None
            tenant_id = tenant_of(client or "")
            async with tenant_session(maker, tenant_id) as session:
                verified = await verify_assertion(session, assertion, peers.token_url(settings))
                if not await is_enabled(session, tenant_id, "medical"):
                    raise AssertionRefused("the medical module is off for this clinic",
                                           tenant_id=tenant_id, peer=PeerRef.of(verified.peer))
                peer = verified.peer
        except AssertionRefused as refused:
            await _log_refusal(maker, refused, client)
            return oauth_error(401, "invalid_client", "client authentication failed")
        try:
            scope = scopes.grant(data.scope)
        except scopes.ScopeRefused as refused:
            return oauth_error(400, "invalid_scope", str(refused))
        access = tokens.issue(settings.secret_key, peer.tenant_id, peer.id, peer.client_id,
                              scope)
        return Response(TokenOut(access, "Bearer", tokens.TOKEN_TTL, scope),
                        headers={"Cache-Control": "no-store"})


class FederationController(Controller):
    """Peers a clinic federates with, and reading a shared record from one of them."""

    path = "/federation/peers"

    @post("/", status_code=201)
    async def register_peer(
        self, data: JSONBody[PeerIn], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession], settings: NamedDependency[Settings],
    ) -> PeerOut:
        """Owners and admins: ``inbound`` (a peer that will call us; we answer its
        ``client_id`` and our token and FHIR URLs) or ``outbound`` (a peer we call)."""
        peer = await peers.register(db, principal, data)
        await db.refresh(peer)
        return peers.out(peer, settings)

    @get("/")
    async def list_peers(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> list[PeerOut]:
        """Owners and admins: the peers, newest first (removed ones say when)."""
        principal.require_manager()
        return [peers.out(p, settings) for p in await peers.list_peers(db, principal)]

    @get("/{peer_id:uuid}")
    async def get_peer(
        self, peer_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession], settings: NamedDependency[Settings],
    ) -> PeerOut:
        principal.require_manager()
        return peers.out(await peers.get(db, principal, peer_id), settings)

    @patch("/{peer_id:uuid}")
    async def update_peer(
        self, peer_id: FromPath[uuid.UUID], data: JSONBody[PeerPatch],
        principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> PeerOut:
        """Owners and admins: rename, or rotate the peer's JWKS URL (inbound) or its token
        and FHIR URLs (outbound)."""
        peer = await peers.update(db, principal, peer_id, data)
        await db.refresh(peer)
        return peers.out(peer, settings)

    @delete("/{peer_id:uuid}", status_code=204)
    async def remove_peer(
        self, peer_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> None:
        """Owners and admins: stop federating. An inbound peer's consents end now and its
        tokens stop working; it stays listed as removed."""
        await peers.remove(db, principal, peer_id)

    @post("/{peer_id:uuid}/fetch", status_code=200)
    async def fetch(
        self, request: Request, peer_id: FromPath[uuid.UUID], data: JSONBody[FetchIn],
        principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[dict[str, Any]]:
        """Clinicians and nurses: the patient's record as the peer shares it with us (a
        FHIR ``Bundle``), found by medical record number and date of birth."""
        peer = await peers.get(db, principal, peer_id)
        if ENCOUNTERS not in access_of(principal).read:
            raise forbidden(f"Role '{principal.role}' may not read clinical records")
        if peer.direction != "outbound":
            raise invalid("peer_id", "records are fetched from an outbound peer")
        bundle = await fetch_record(request.app.state.sessionmaker, settings.secret_key, peer,
                                    data.mrn, data.birth_date)
        kinds = sorted({e["resource"]["resourceType"] for e in bundle.get("entry", [])})
        remote = next((e["resource"]["id"] for e in bundle.get("entry", [])
                       if e["resource"]["resourceType"] == "Patient"), None)
        await audit.record(
            db, principal, audit.READ, "medical.remote_patient",
            uuid.uuid5(uuid.NAMESPACE_URL, f"{peer.fhir_base_url}/Patient/{remote}"),
            detail={"peer": peer.name, "remote_patient": remote, "sections": kinds,
                    "purpose": "care", "via": "federation"},
        )
        return Response(bundle, media_type="application/fhir+json")
