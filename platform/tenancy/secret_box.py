"""Secrets the server must read back (a person's TOTP key, an organization's SSO client
secret), encrypted at rest with a key derived from the application's secret key
(docs/auth.md, "Secret key"). The one place that seals and opens them.

AES-256-GCM under HKDF-SHA-256(secret key, the purpose's salt and info): a database dump
alone reveals nothing, each purpose has its own key, and the owner's id (the person, the
organization) is the associated data, so a ciphertext copied onto another owner's row does
not decrypt. Changing the secret key makes what was sealed under it unreadable
(``Unreadable``): docs/auth.md says what a person or an admin does then.

Stored form: ``v1.`` + URL-safe base64 of the 12-byte nonce, the ciphertext and the tag.
Each purpose keeps the key derivation its values were first stored under (the SSO secret
was sealed by a module of its own before this one took it over), so nothing stored has to
be rewritten.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "v1"
_NONCE_BYTES = 12


@dataclass(frozen=True)
class Purpose:
    """What a sealed value is for: its key is HKDF-SHA-256(secret key, ``salt``, ``info``)."""

    salt: bytes | None
    info: bytes


TOTP_SECRET = Purpose(salt=b"rapport-secret-box", info=b"totp-secret")
SSO_CLIENT_SECRET = Purpose(salt=None, info=b"rapport sso client secret v1")


class Unreadable(Exception):
    """Sealed under another secret key, for another owner or purpose, or damaged."""


@lru_cache(maxsize=8)
def _cipher(secret_key: str, purpose: Purpose) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=purpose.salt, info=purpose.info,
    ).derive(secret_key.encode())
    return AESGCM(key)


def seal(secret_key: str, purpose: Purpose, owner: str, plaintext: str) -> str:
    """``plaintext`` encrypted for ``owner`` (a text: version, nonce and ciphertext)."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _cipher(secret_key, purpose).encrypt(nonce, plaintext.encode(), owner.encode())
    return f"{VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def open_sealed(secret_key: str, purpose: Purpose, owner: str, sealed: str) -> str:
    version, _, body = sealed.partition(".")
    if version != VERSION:
        raise Unreadable(f"unknown version {version!r}")
    try:
        raw = base64.urlsafe_b64decode(body.encode())
        plain = _cipher(secret_key, purpose).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], owner.encode()
        )
    except (InvalidTag, ValueError) as exc:
        raise Unreadable("the secret cannot be decrypted with this key") from exc
    return plain.decode()
