"""Checking a peer's client assertion (RFC 7523 ``private_key_jwt``, as SMART Backend
Services profiles it), stricter than the libraries' defaults:

- ``alg`` only RS384 or ES384; a ``jku``/``x5u``/``jwk`` header is refused (keys come
  only from the JWKS URL registered when the clinics agreed to federate);
- signature checked against that JWKS (fetched, cached briefly, refetched once for an
  unknown ``kid``);
- ``iss`` = ``sub`` = a registered inbound peer's ``client_id``; ``aud`` = our token URL;
- ``exp`` required, in the future and at most five minutes away; ``jti`` required and
  never seen before (kept in ``medical_federation_jtis`` until it expires).
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from rapport_plugins.medical.federation.models import FederationPeer, SeenAssertion

ALLOWED_ALGS = ("RS384", "ES384")
FORBIDDEN_HEADERS = ("jku", "x5u", "jwk")
MAX_LIFETIME = 300  # seconds: SMART Backend Services caps exp at five minutes
CLOCK_SKEW = 30
JWKS_TTL = 300
CLIENT_ID_PREFIX = "urn:rapport:medical:"
_jwks_cache: dict[str, tuple[float, KeySet]] = {}


@dataclass(frozen=True)
class PeerRef:
    """The peer an assertion claimed to come from, as plain values: the refusal is
    logged after the request's transaction has rolled back."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    client_id: str

    @classmethod
    def of(cls, peer: FederationPeer) -> PeerRef:
        return cls(peer.id, peer.tenant_id, peer.name, peer.client_id)


class AssertionRefused(Exception):
    """The assertion is not acceptable; ``reason`` is logged, never shown in detail."""

    def __init__(self, reason: str, *, tenant_id: uuid.UUID | None = None,
                 peer: PeerRef | None = None, jti: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.tenant_id = tenant_id
        self.peer = peer
        self.jti = jti


@dataclass(frozen=True)
class Verified:
    peer: FederationPeer
    claims: dict[str, Any]


def make_client_id(tenant_id: uuid.UUID, peer_id: uuid.UUID) -> str:
    """Names the tenant, so the (unauthenticated) token request finds its peer under RLS."""
    return f"{CLIENT_ID_PREFIX}{tenant_id}:{peer_id}"


def tenant_of(client_id: str) -> uuid.UUID:
    if not client_id.startswith(CLIENT_ID_PREFIX):
        raise AssertionRefused("unknown client")
    try:
        return uuid.UUID(client_id[len(CLIENT_ID_PREFIX):].split(":", 1)[0])
    except ValueError as exc:
        raise AssertionRefused("unknown client") from exc


def _segment(part: str) -> dict[str, Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise AssertionRefused("malformed assertion") from exc
    if not isinstance(value, dict):
        raise AssertionRefused("malformed assertion")
    return value


def unverified(assertion: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims before the signature is checked: only to find the key."""
    parts = assertion.split(".")
    if len(parts) != 3:
        raise AssertionRefused("malformed assertion")
    return _segment(parts[0]), _segment(parts[1])


async def _keyset(url: str, *, refresh: bool = False) -> KeySet:
    cached = _jwks_cache.get(url)
    if cached and not refresh and time.monotonic() - cached[0] < JWKS_TTL:
        return cached[1]
    try:
        async with httpx.AsyncClient(timeout=5.0, follow_redirects=False) as client:
            response = await client.get(url)
            response.raise_for_status()
            keys = KeySet.import_key_set(response.json())
    except (httpx.HTTPError, ValueError, JoseError) as exc:
        raise AssertionRefused(f"could not fetch the peer's JWKS: {type(exc).__name__}") from exc
    _jwks_cache[url] = (time.monotonic(), keys)
    return keys


async def _decode(assertion: str, peer: FederationPeer, alg: str, kid: Any) -> dict[str, Any]:
    assert peer.jwks_url is not None
    for refresh in (False, True):
        keys = await _keyset(peer.jwks_url, refresh=refresh)
        if kid is not None and not any(k.kid == kid for k in keys.keys):
            continue
        try:
            return dict(jwt.decode(assertion, keys, algorithms=[alg]).claims)
        except (JoseError, ValueError) as exc:
            if refresh:
                raise AssertionRefused("bad signature") from exc
    raise AssertionRefused("no key of the peer has this kid")


def _check_claims(claims: dict[str, Any], client_id: str, audience: str) -> float:
    now = time.time()
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        raise AssertionRefused("iss and sub must be the client_id")
    aud = claims.get("aud")
    if not (aud == audience or (isinstance(aud, list) and audience in aud)):
        raise AssertionRefused("wrong audience")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise AssertionRefused("exp missing")
    if exp <= now - CLOCK_SKEW:
        raise AssertionRefused("expired")
    if exp > now + MAX_LIFETIME + CLOCK_SKEW:
        raise AssertionRefused("exp more than five minutes ahead")
    iat = claims.get("iat")
    if iat is not None and (not isinstance(iat, int | float) or iat > now + CLOCK_SKEW):
        raise AssertionRefused("iat in the future")
    nbf = claims.get("nbf")
    if nbf is not None and (not isinstance(nbf, int | float) or nbf > now + CLOCK_SKEW):
        raise AssertionRefused("not yet valid")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 1 <= len(jti) <= 200:
        raise AssertionRefused("jti missing")
    return float(exp)


async def verify(
    session: AsyncSession, assertion: str, audience: str
) -> Verified:
    """Check everything; ``session`` is in the tenant named by the client_id."""
    header, claims = unverified(assertion)
    client_id = claims.get("iss")
    if not isinstance(client_id, str):
        raise AssertionRefused("iss missing")
    tenant_id = tenant_of(client_id)
    jti = claims.get("jti") if isinstance(claims.get("jti"), str) else None
    peer = (
        await session.execute(
            select(FederationPeer).where(
                FederationPeer.tenant_id == tenant_id,
                FederationPeer.direction == "inbound",
                FederationPeer.client_id == client_id,
                FederationPeer.removed_at.is_(None),
            )
        )
    ).scalar_one_or_none()
    if peer is None:
        raise AssertionRefused("unknown client", tenant_id=tenant_id, jti=jti)
    try:
        alg = header.get("alg")
        if alg not in ALLOWED_ALGS:
            raise AssertionRefused(f"alg {alg!r} not allowed")
        if any(h in header for h in FORBIDDEN_HEADERS):
            raise AssertionRefused("key location headers (jku, x5u, jwk) are refused")
        verified = await _decode(assertion, peer, str(alg), header.get("kid"))
        exp = _check_claims(verified, client_id, audience)
        await _remember(session, peer, str(verified["jti"]), exp)
    except AssertionRefused as refused:
        refused.tenant_id, refused.peer, refused.jti = tenant_id, PeerRef.of(peer), jti
        raise
    return Verified(peer, verified)


async def _remember(session: AsyncSession, peer: FederationPeer, jti: str, exp: float) -> None:
    """Refuse a second use of ``jti``; forget ids whose assertions have expired anyway."""
    await session.execute(
        delete(SeenAssertion)
        .where(SeenAssertion.tenant_id == peer.tenant_id,
               SeenAssertion.expires_at < func.now())
        .execution_options(synchronize_session=False)
    )
    stored = (
        await session.execute(
            insert(SeenAssertion)
            .values(tenant_id=peer.tenant_id, id=uuid.uuid4(), peer_id=peer.id, jti=jti,
                    expires_at=func.to_timestamp(exp + CLOCK_SKEW))
            .on_conflict_do_nothing(constraint="uq_medical_federation_jtis_jti")
            .returning(SeenAssertion.id)
        )
    ).scalar_one_or_none()
    if stored is None:
        raise AssertionRefused("replayed jti")
