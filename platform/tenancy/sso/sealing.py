"""The client secret at rest: AES-256-GCM under a key derived (HKDF-SHA256) from the
deployment's secret key, so a copy of the database alone does not reveal it. Rotating
``RAPPORT_SECRET_KEY`` makes stored secrets unreadable: the admin enters the secret again
(the sign-in then answers a 502 naming the client secret)."""

from __future__ import annotations

import base64
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"rapport sso client secret v1"
_PREFIX = "v1."


class SecretUnreadable(Exception):
    """The stored secret was sealed under another secret key."""


@lru_cache(maxsize=4)
def _cipher(secret_key: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return AESGCM(key)


def seal(secret_key: str, plain: str, *, tenant: str) -> str:
    """``plain`` encrypted; the tenant's id is authenticated with it, so a sealed secret
    copied into another tenant's row does not open there."""
    nonce = os.urandom(12)
    sealed = _cipher(secret_key).encrypt(nonce, plain.encode(), tenant.encode())
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(secret_key: str, sealed: str, *, tenant: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(sealed.removeprefix(_PREFIX).encode())
        return _cipher(secret_key).decrypt(raw[:12], raw[12:], tenant.encode()).decode()
    except (InvalidTag, ValueError) as exc:
        raise SecretUnreadable("the client secret cannot be read") from exc
