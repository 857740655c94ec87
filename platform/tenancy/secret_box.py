"""Secrets the server must read back (a person's TOTP key), encrypted at rest with a key
derived from the application's secret key (docs/auth.md, "Secret key").

AES-256-GCM under HKDF-SHA-256(secret key, purpose): a database dump alone reveals nothing,
and the owner's id is the associated data, so a ciphertext copied onto another person's row
does not decrypt. Changing the secret key makes what was sealed under it unreadable
(``Unreadable``): docs/auth.md says what a person does then.
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "v1"
_NONCE_BYTES = 12


class Unreadable(Exception):
    """Sealed under another secret key, for another owner, or damaged."""


@lru_cache(maxsize=8)
def _cipher(secret_key: str, purpose: str) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"rapport-secret-box",
        info=purpose.encode(),
    ).derive(secret_key.encode())
    return AESGCM(key)


def seal(secret_key: str, purpose: str, owner: str, plaintext: str) -> str:
    """``plaintext`` encrypted for ``owner`` (a text: version, nonce and ciphertext)."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _cipher(secret_key, purpose).encrypt(nonce, plaintext.encode(), owner.encode())
    return f"{VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def open_sealed(secret_key: str, purpose: str, owner: str, sealed: str) -> str:
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
