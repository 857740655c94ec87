"""Access tokens of API clients: the project's JWT (HS256, the same key and audience as a
person's, ``rapport.tenancy.tokens``) with a distinct shape — ``cid`` names the client,
``scope`` what it was granted, ``ver`` the secret generation it was issued under — and no
``sid``/``csrf``: a client has no session and never a cookie.

``ver`` is what makes a rotation bite at once: authentication compares it with the client's
current ``secret_version`` in the query that loads the client, so the tokens of a secret
rotated away (or of a revoked client) fail on their next request."""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass

from joserfc import jwt
from joserfc.errors import JoseError

from rapport.tenancy.tokens import ALGORITHM, AUDIENCE, TokenInvalid, _key

CLIENT_CLAIM = "cid"
# The JOSE header of a client's token. Its encoded form is a fixed prefix, so telling a
# client's token from a person's costs one string comparison, no decoding.
_HEADER = {"alg": ALGORITHM, "typ": "rapport-client+jwt"}

_CLAIMS = jwt.JWTClaimsRegistry(
    exp={"essential": True},
    aud={"essential": True, "value": AUDIENCE},
    sub={"essential": True},
    tid={"essential": True},
    cid={"essential": True},
    ver={"essential": True},
)


@dataclass(frozen=True)
class ClientClaims:
    client_id: uuid.UUID
    tenant_id: uuid.UUID
    scopes: frozenset[str]
    secret_version: int
    expires_at: int


def issue_client_token(
    secret: str, *, client_id: uuid.UUID, tenant_id: uuid.UUID, scopes: list[str],
    secret_version: int, ttl: int,
) -> str:
    now = int(time.time())
    payload = {
        "sub": str(client_id),
        "tid": str(tenant_id),
        CLIENT_CLAIM: str(client_id),
        "scope": " ".join(scopes),
        "ver": secret_version,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + ttl,
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(dict(_HEADER), payload, _key(secret), algorithms=[ALGORITHM])


_PREFIX = issue_client_token(
    "header-prefix-only", client_id=uuid.UUID(int=0), tenant_id=uuid.UUID(int=0), scopes=[],
    secret_version=0, ttl=0,
).split(".", 1)[0] + "."


def is_client_token(token: str) -> bool:
    """Whether ``token`` claims to be a client's (its header; the signature is checked by
    ``read_client_token``)."""
    return token.startswith(_PREFIX)


def read_client_token(secret: str, token: str) -> ClientClaims:
    """The verified claims of a client's token; TokenInvalid when it is unacceptable."""
    try:
        c = jwt.decode(token, _key(secret), algorithms=[ALGORITHM]).claims
        if c.get(CLIENT_CLAIM) != c.get("sub"):
            raise ValueError("a client token's subject is its client")
        _CLAIMS.validate(c)
        return ClientClaims(
            uuid.UUID(c[CLIENT_CLAIM]), uuid.UUID(c["tid"]),
            frozenset(str(c.get("scope", "")).split()), int(c["ver"]), int(c["exp"]),
        )
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise TokenInvalid(str(exc)) from exc
