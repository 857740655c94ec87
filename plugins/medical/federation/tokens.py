"""Access tokens this deployment issues to federation peers: short JWTs (HS256, a key
derived from the secret), naming the peer and the tenant whose records it may read."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from rapport_plugins.medical.federation.keys import derived_key

TOKEN_TTL = 300
SCOPE = "system/*.read"
AUDIENCE = "rapport.medical.fhir"


class TokenRefused(Exception):
    """A federation token request or bearer token that must be answered with 401."""


@dataclass(frozen=True)
class FederationToken:
    tenant_id: uuid.UUID
    peer_id: uuid.UUID
    client_id: str
    scope: str = SCOPE


def _key(secret: str) -> OctKey:
    return OctKey.import_key(derived_key(secret, "federation-access-token"))


def issue(secret: str, tenant_id: uuid.UUID, peer_id: uuid.UUID, client_id: str,
          scope: str = SCOPE) -> str:
    """A token carrying the granted SMART scopes, which the FHIR doors enforce."""
    now = int(time.time())
    claims = {"iss": "rapport", "aud": AUDIENCE, "sub": client_id, "tid": str(tenant_id),
              "pid": str(peer_id), "scope": scope, "iat": now, "exp": now + TOKEN_TTL,
              "jti": uuid.uuid4().hex}
    return jwt.encode({"alg": "HS256"}, claims, _key(secret))


def read(secret: str, token: str) -> FederationToken:
    try:
        claims = jwt.decode(token, _key(secret), algorithms=["HS256"]).claims
        registry = jwt.JWTClaimsRegistry(
            aud={"essential": True, "value": AUDIENCE}, exp={"essential": True},
            tid={"essential": True}, pid={"essential": True}, sub={"essential": True},
            scope={"essential": True},
        )
        registry.validate(claims)
        return FederationToken(uuid.UUID(claims["tid"]), uuid.UUID(claims["pid"]),
                               str(claims["sub"]), str(claims["scope"]))
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise TokenRefused("invalid or expired federation token") from exc
