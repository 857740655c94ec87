"""Signed access tokens (JWT, HS256) carrying the user, the tenant, the session and a CSRF
secret. The signature proves who issued the token; the session row (``sid``) decides whether
it still counts, so logout and revocation take effect at once."""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

ALGORITHM = "HS256"
SESSION_COOKIE = "rapport_session"
AUDIENCE = "rapport-api"


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    tenant_id: uuid.UUID
    csrf: str
    expires_at: int
    session_id: uuid.UUID


class TokenInvalid(Exception):
    """Tampered, expired, malformed or otherwise unacceptable token."""


@lru_cache(maxsize=4)
def _key(secret: str) -> OctKey:
    # Importing the key on every request showed in the request-path profile; the secret is
    # fixed per process (a rotation restarts it), so a handful of cached keys suffice.
    return OctKey.import_key(secret.encode())


_CLAIMS = jwt.JWTClaimsRegistry(
    exp={"essential": True},
    aud={"essential": True, "value": AUDIENCE},
    sub={"essential": True},
    tid={"essential": True},
    sid={"essential": True},
)


def issue_access_token(
    secret: str, *, user_id: uuid.UUID, tenant_id: uuid.UUID, session_id: uuid.UUID, ttl: int
) -> tuple[str, AccessClaims]:
    now = int(time.time())
    claims = AccessClaims(user_id, tenant_id, secrets.token_urlsafe(16), now + ttl, session_id)
    payload = {
        "sub": str(user_id),
        "tid": str(tenant_id),
        "sid": str(session_id),
        "csrf": claims.csrf,
        "aud": AUDIENCE,
        "iat": now,
        "exp": claims.expires_at,
        "jti": secrets.token_hex(8),
    }
    return jwt.encode({"alg": ALGORITHM}, payload, _key(secret), algorithms=[ALGORITHM]), claims


def read_access_token(secret: str, token: str) -> AccessClaims:
    """The claims of a token signed with ``secret``, still within its lifetime."""
    claims = _verified(secret, token)
    if claims.expires_at < int(time.time()):
        raise TokenInvalid("the token has expired")
    return claims


# A client sends one token with every request of its lifetime: its signature and claims
# are checked once (joserfc's parse and checks cost ~55 µs of CPU a request), its expiry
# on every use above. Whether it still counts is the session row's say, asked on every
# request (``sid``). A refused token raises, and is not kept.
@lru_cache(maxsize=4096)
def _verified(secret: str, token: str) -> AccessClaims:
    try:
        decoded = jwt.decode(token, _key(secret), algorithms=[ALGORITHM])
        _CLAIMS.validate(decoded.claims)
        c = decoded.claims
        return AccessClaims(
            uuid.UUID(c["sub"]),
            uuid.UUID(c["tid"]),
            str(c.get("csrf", "")),
            int(c["exp"]),
            uuid.UUID(c["sid"]),
        )
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise TokenInvalid(str(exc)) from exc
