"""Registering the clinics on other deployments a clinic federates with."""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, Settings, audit, conflict, invalid, new_id, not_found
from rapport_plugins.medical.consent_models import Consent
from rapport_plugins.medical.consents import end
from rapport_plugins.medical.federation.assertions import make_client_id
from rapport_plugins.medical.federation.models import FederationPeer
from rapport_plugins.medical.schemas import PeerIn, PeerOut, PeerPatch

TOKEN_PATH = "/api/v1/medical/federation/token"  # noqa: S105 - a URL path, not a secret
JWKS_PATH = "/api/v1/medical/federation/jwks.json"
FHIR_PATH = "/api/v1/medical/fhir"


def token_url(settings: Settings) -> str:
    """Our token endpoint: the ``aud`` every assertion sent to us must carry."""
    return settings.base_url.rstrip("/") + TOKEN_PATH


def out(peer: FederationPeer, settings: Settings) -> PeerOut:
    token, fhir = peer.token_url, peer.fhir_base_url
    if peer.direction == "inbound":
        # What the other deployment needs to register us as its outbound peer.
        token, fhir = token_url(settings), settings.base_url.rstrip("/") + FHIR_PATH
    return PeerOut(id=peer.id, name=peer.name, direction=peer.direction,  # type: ignore[arg-type]
                   client_id=peer.client_id, jwks_url=peer.jwks_url, token_url=token,
                   fhir_base_url=fhir, created_at=peer.created_at, removed_at=peer.removed_at)


async def register(
    session: AsyncSession, principal: Principal, data: PeerIn
) -> FederationPeer:
    principal.require_manager()
    peer_id = new_id()
    if data.direction == "inbound":
        if data.jwks_url is None:
            raise invalid("jwks_url", "an inbound peer needs the URL of its public keys")
        client_id = make_client_id(principal.tenant_id, peer_id)
    else:
        for field in ("client_id", "token_url", "fhir_base_url"):
            if getattr(data, field) is None:
                raise invalid(field, "an outbound peer needs it (the peer gave it to you)")
        assert data.client_id is not None
        client_id = data.client_id
    peer = FederationPeer(
        tenant_id=principal.tenant_id, id=peer_id, name=data.name.strip(),
        direction=data.direction, client_id=client_id,
        jwks_url=data.jwks_url if data.direction == "inbound" else None,
        token_url=data.token_url if data.direction == "outbound" else None,
        fhir_base_url=(
            (data.fhir_base_url or "").rstrip("/") or None
            if data.direction == "outbound" else None
        ),
        created_by=principal.user_id,
    )
    session.add(peer)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise conflict("This peer is already registered") from exc
    await audit.record(session, principal, audit.CREATE, "medical.federation_peer", peer.id,
                       audit.diff({}, {"name": peer.name, "direction": peer.direction,
                                       "client_id": peer.client_id}))
    return peer


async def get(session: AsyncSession, principal: Principal, peer_id: uuid.UUID) -> FederationPeer:
    peer = (
        await session.execute(
            select(FederationPeer).where(
                FederationPeer.tenant_id == principal.tenant_id, FederationPeer.id == peer_id
            )
        )
    ).scalar_one_or_none()
    if peer is None:
        raise not_found("Federation peer")
    return peer


async def list_peers(session: AsyncSession, principal: Principal) -> list[FederationPeer]:
    rows = await session.execute(
        select(FederationPeer)
        .where(FederationPeer.tenant_id == principal.tenant_id)
        .order_by(FederationPeer.id.desc())
        .limit(200)
    )
    return list(rows.scalars())


# What each direction may change: the other side's addresses, never our client id.
EDITABLE = {"inbound": ("name", "jwks_url"), "outbound": ("name", "token_url", "fhir_base_url")}


async def update(
    session: AsyncSession, principal: Principal, peer_id: uuid.UUID, data: PeerPatch
) -> FederationPeer:
    """Rename, or rotate the peer's JWKS URL (inbound) or token and FHIR URLs (outbound):
    the next assertion is checked against the new keys."""
    principal.require_manager()
    peer = await get(session, principal, peer_id)
    if peer.removed_at is not None:
        raise not_found("Federation peer")
    before = {k: getattr(peer, k) for k in ("name", "jwks_url", "token_url", "fhir_base_url")}
    for key, value in msgspec.structs.asdict(data).items():
        if value is msgspec.UNSET:
            continue
        if key not in EDITABLE[peer.direction]:
            raise invalid(key, f"an {peer.direction} peer has no {key}")
        setattr(peer, key, value.strip() if key == "name" else value.rstrip("/")
                if key == "fhir_base_url" else value)
    after = {k: getattr(peer, k) for k in before}
    await session.flush()
    await audit.record(session, principal, audit.UPDATE, "medical.federation_peer", peer.id,
                       audit.diff(before, after))
    return peer


async def remove(session: AsyncSession, principal: Principal, peer_id: uuid.UUID) -> None:
    """An outbound peer is deleted. An inbound one is marked removed — its consents and
    the audit log still name it — and every consent still given to it ends now; tokens
    it holds stop working on its next request."""
    principal.require_manager()
    peer = await get(session, principal, peer_id)
    if peer.removed_at is not None:
        raise not_found("Federation peer")
    await audit.record(session, principal, audit.DELETE, "medical.federation_peer", peer.id,
                       audit.diff({"name": peer.name, "direction": peer.direction}, {}))
    if peer.direction == "outbound":
        await session.delete(peer)
        await session.flush()
        return
    given = (await session.execute(select(Consent).where(
        Consent.tenant_id == principal.tenant_id, Consent.peer_id == peer.id,
        Consent.revoked_at.is_(None)))).scalars()
    for consent in list(given):
        await end(session, principal, consent)
    peer.removed_at = (await session.execute(select(func.now()))).scalar_one()
    await session.flush()
