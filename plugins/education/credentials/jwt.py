"""VC-JWT (W3C VC-JOSE-COSE, OB 3.0 §8.2): the payload is the credential itself, with the
registered claims it implies (``iss``, ``jti``, ``sub``, ``nbf``, ``exp``) beside it."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from joserfc import jws
from joserfc.jwk import OKPKey

from rapport_plugins.education.credentials.keys import ALG

# What an imported credential may be signed with (EdDSA: the pre-RFC 9864 name).
ACCEPTED = ["Ed25519", "EdDSA", "ES256", "ES384", "RS256"]


def _epoch(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())


def sign(credential: dict[str, Any], key: OKPKey, kid_url: str) -> str:
    claims = dict(credential)
    claims["iss"] = credential["issuer"]["id"]
    claims["jti"] = credential["id"]
    subject = credential.get("credentialSubject", {})
    if isinstance(subject, dict) and "id" in subject:
        claims["sub"] = subject["id"]
    claims["nbf"] = _epoch(credential["validFrom"])
    if "validUntil" in credential:
        claims["exp"] = _epoch(credential["validUntil"])
    header = {"alg": ALG, "kid": kid_url, "typ": "vc+jwt", "cty": "vc"}
    payload = json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode()
    return jws.serialize_compact(header, payload, key, algorithms=[ALG])


def unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload of a compact JWS, before any trust (ValueError if malformed)."""
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise ValueError("not a compact JWS (three dot-separated parts)")
    try:
        header, payload = (json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
                           for p in parts[:2])
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("the JWS header or payload is not base64url JSON") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise ValueError("the JWS header and payload must be JSON objects")
    return header, payload
