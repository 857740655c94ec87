"""Signed one-click unsubscribe links: the token names the tenant and the campaign message
(so the contact, channel and topic), and carries an HMAC under the deployment's secret
key; anything else — a changed byte, a token from another deployment — is refused."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from dataclasses import dataclass

from rapport.errors import invalid

PURPOSE = b"rapport-unsubscribe\x00"
MAC_BYTES = 16
PATH = "/api/v1/unsubscribe/"


@dataclass(frozen=True)
class UnsubscribeToken:
    tenant_id: uuid.UUID
    message_id: uuid.UUID


def _key(secret_key: str) -> bytes:
    return hashlib.sha256(PURPOSE + secret_key.encode()).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def sign(secret_key: str, tenant_id: uuid.UUID, message_id: uuid.UUID) -> str:
    payload = tenant_id.bytes + message_id.bytes
    mac = hmac.new(_key(secret_key), payload, hashlib.sha256).digest()[:MAC_BYTES]
    return _b64(payload + mac)


def url(base_url: str, secret_key: str, tenant_id: uuid.UUID, message_id: uuid.UUID) -> str:
    return base_url.rstrip("/") + PATH + sign(secret_key, tenant_id, message_id)


def verify(secret_key: str, token: str) -> UnsubscribeToken:
    """The token's tenant and message, or 422 on ``token`` when it was not signed here."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    payload, mac = raw[:32], raw[32:]
    expected = hmac.new(_key(secret_key), payload, hashlib.sha256).digest()[:MAC_BYTES]
    if len(raw) != 32 + MAC_BYTES or not hmac.compare_digest(mac, expected):
        raise invalid("token", "not an unsubscribe link of this service (altered or foreign)")
    return UnsubscribeToken(uuid.UUID(bytes=payload[:16]), uuid.UUID(bytes=payload[16:]))
