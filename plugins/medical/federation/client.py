"""The client side: fetch a shared patient's record from a peer deployment.

authlib's OAuth2 client obtains a token with ``client_credentials`` and a
``private_key_jwt`` assertion signed with this deployment's key (ES384, five-minute
``exp``, fresh ``jti``); then the peer's FHIR endpoints are read and every resource is
validated against the ``fhir.resources`` models before it is handed on.
"""

from __future__ import annotations

import time
import warnings
from datetime import date
from typing import Any

import httpx
from authlib.integrations.base_client import OAuthError
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oauth2.rfc7523 import PrivateKeyJWT

with warnings.catch_warnings():
    # authlib prefers the httpx2 package and warns when it falls back to httpx, which
    # is what Rapport uses everywhere; the client API is the same.
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import AsyncOAuth2Client
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.sdk import RapportError, not_found
from rapport_plugins.medical.federation.keys import ALG, signing_key
from rapport_plugins.medical.federation.models import FederationPeer
from rapport_plugins.medical.federation.tokens import SCOPE
from rapport_plugins.medical.fhir.mapping import validated

ASSERTION_LIFETIME = 240  # seconds; the peer refuses anything past five minutes


def _peer_failed(detail: str) -> RapportError:
    return RapportError(detail=detail, status=502, title="Federation peer failed")


async def fetch_record(
    maker: async_sessionmaker[AsyncSession], secret: str, peer: FederationPeer, mrn: str,
    birth_date: date,
) -> dict[str, Any]:
    """The patient's shared record as a FHIR ``Bundle``; 404 when the peer shares no
    patient with this MRN and birth date with us (the peer does not say which)."""
    assert peer.token_url is not None and peer.fhir_base_url is not None
    key, kid = await signing_key(maker, secret)
    auth = PrivateKeyJWT(peer.token_url, claims={"exp": int(time.time()) + ASSERTION_LIFETIME},
                         headers={"kid": kid}, alg=ALG)
    client = AsyncOAuth2Client(peer.client_id, key, scope=SCOPE, timeout=15.0,
                               token_endpoint_auth_method=auth)
    async with client:
        try:
            await client.fetch_token(peer.token_url, grant_type="client_credentials")
        except (OAuth2Error, OAuthError, httpx.HTTPError) as exc:
            raise _peer_failed(f"The peer refused our credentials ({type(exc).__name__})") from exc
        base = peer.fhir_base_url
        try:
            found = await client.get(f"{base}/Patient", params={
                "identifier": mrn, "birthdate": birth_date.isoformat()})
            found.raise_for_status()
            matches = validated(found.json()).get("entry", [])
            if not matches:
                raise not_found("Shared patient")
            patient_id = matches[0]["resource"]["id"]
            everything = await client.get(f"{base}/Patient/{patient_id}/$everything")
            everything.raise_for_status()
            return validated(everything.json())
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise _peer_failed(f"The peer's answer was not usable ({type(exc).__name__})") from exc
