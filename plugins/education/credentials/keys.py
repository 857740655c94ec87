"""Each institution's signing key: made on first use (Ed25519), its private half sealed
under a key derived from ``RAPPORT_SECRET_KEY`` (never stored or logged in the clear)."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from joserfc import jwe
from joserfc.jwk import OctKey, OKPKey
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from rapport_plugins.education.credentials import integrity
from rapport_plugins.education.models import IssuerKey

ALG = "Ed25519"  # RFC 9864's name for EdDSA over Ed25519
_ENVELOPE = {"alg": "dir", "enc": "A256GCM"}


def _wrapping_key(secret: str) -> OctKey:
    raw = hmac.new(secret.encode(), b"rapport.education.key-wrapping", hashlib.sha256).digest()
    return OctKey.import_key(raw)


async def signing_key(db: AsyncSession, tenant_id: uuid.UUID, secret: str) -> tuple[OKPKey, str]:
    """The tenant's private key and its ``kid`` (the JWK thumbprint)."""
    row = (await db.execute(select(IssuerKey).where(IssuerKey.tenant_id == tenant_id)
                            .order_by(IssuerKey.created_at).limit(1))).scalar_one_or_none()
    if row is None:
        # Two first exports at once must not make two keys.
        await db.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                         {"k": f"rapport.education.key.{tenant_id}"})
        row = (await db.execute(select(IssuerKey).where(IssuerKey.tenant_id == tenant_id)
                                .limit(1))).scalar_one_or_none()
    if row is None:
        key = OKPKey.generate_key("Ed25519", private=True)
        kid = key.thumbprint()
        sealed = jwe.encrypt_compact(_ENVELOPE, json.dumps(key.as_dict(private=True)).encode(),
                                     _wrapping_key(secret), algorithms=["dir", "A256GCM"])
        row = IssuerKey(tenant_id=tenant_id, kid=kid, private_jwk=sealed,
                        public_jwk={**key.as_dict(private=False), "kid": kid, "alg": ALG,
                                    "use": "sig"})
        db.add(row)
        await db.flush()
    opened = jwe.decrypt_compact(row.private_jwk, _wrapping_key(secret),
                                 algorithms=["dir", "A256GCM"])
    assert opened.plaintext is not None
    return OKPKey.import_key(json.loads(opened.plaintext)), row.kid


def ed25519(key: OKPKey) -> Ed25519PrivateKey:
    """The key as ``cryptography``'s Ed25519 private key (for Data Integrity proofs)."""
    found = key.private_key
    if not isinstance(found, Ed25519PrivateKey):
        raise TypeError("the issuer's signing key is not an Ed25519 private key")
    return found


def multikey(jwk: dict[str, Any]) -> str:
    """A published Ed25519 JWK as a Multikey ``publicKeyMultibase``."""
    public = OKPKey.import_key(jwk).public_key
    if not isinstance(public, Ed25519PublicKey):
        raise TypeError("not an Ed25519 public key")
    return integrity.multikey(public)


async def public_keys(db: AsyncSession, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    return list((await db.execute(select(IssuerKey.public_jwk).where(
        IssuerKey.tenant_id == tenant_id).order_by(IssuerKey.created_at))).scalars())
