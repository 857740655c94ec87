"""This deployment's signing key: generated on first use (ES384, P-384), stored with its
private half encrypted under a key derived from ``RAPPORT_SECRET_KEY``, never logged.
Its public half is the JWKS that peers fetch."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from joserfc import jwe
from joserfc.jwk import ECKey, OctKey
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.sdk import tenant_session
from rapport_plugins.medical.federation.models import DeploymentKey

ALG = "ES384"
_ENVELOPE = {"alg": "dir", "enc": "A256GCM"}


def derived_key(secret: str, purpose: str) -> bytes:
    """32 bytes for one purpose; keys for different purposes never coincide."""
    return hmac.new(secret.encode(), f"rapport.medical.{purpose}".encode(), hashlib.sha256).digest()


def _wrapping_key(secret: str) -> OctKey:
    return OctKey.import_key(derived_key(secret, "key-wrapping"))


async def signing_key(
    maker: async_sessionmaker[AsyncSession], secret: str
) -> tuple[ECKey, str]:
    """The private key and its ``kid``; the first caller creates it, in a transaction of
    its own: a peer fetching our JWKS while we wait for its token must already see it."""
    async with tenant_session(maker, None) as session:
        return await _signing_key(session, secret)


async def _signing_key(session: AsyncSession, secret: str) -> tuple[ECKey, str]:
    # A transaction-level advisory lock keeps two starting replicas from making two keys.
    row = (await session.execute(select(DeploymentKey).order_by(DeploymentKey.created_at)
                                 .limit(1))).scalar_one_or_none()
    if row is None:
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('rapport.medical.key'))"))
        row = (await session.execute(select(DeploymentKey).limit(1))).scalar_one_or_none()
    if row is None:
        key = ECKey.generate_key("P-384", private=True)
        kid = key.thumbprint()
        private = json.dumps(key.as_dict(private=True)).encode()
        sealed = jwe.encrypt_compact(_ENVELOPE, private, _wrapping_key(secret),
                                     algorithms=["dir", "A256GCM"])
        public = {**key.as_dict(private=False), "kid": kid, "alg": ALG, "use": "sig"}
        row = DeploymentKey(kid=kid, alg=ALG, public_jwk=public, private_jwk=sealed)
        session.add(row)
        await session.flush()
    opened = jwe.decrypt_compact(row.private_jwk, _wrapping_key(secret),
                                 algorithms=["dir", "A256GCM"])
    assert opened.plaintext is not None
    return ECKey.import_key(json.loads(opened.plaintext)), row.kid


async def jwks(maker: async_sessionmaker[AsyncSession], secret: str) -> dict[str, Any]:
    await signing_key(maker, secret)  # make sure there is one to publish
    async with tenant_session(maker, None) as session:
        rows = (await session.execute(select(DeploymentKey.public_jwk))).scalars()
        return {"keys": list(rows)}
