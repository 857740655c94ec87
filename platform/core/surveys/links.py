"""Signed survey links: the token names the tenant and the invitation and carries the time
it expires, under an HMAC-SHA256 of the deployment's secret key (a purpose of its own, so
an unsubscribe token is never a survey token). A changed byte or a foreign token is a 422;
a token past its time is a 410. Single use is kept by the database (one response per
invitation), not by the token."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from rapport.errors import RapportError, invalid

PURPOSE = b"rapport-survey\x00"
MAC_BYTES = 16
PAYLOAD_BYTES = 16 + 16 + 8
PAGE_PATH = "/survey/"


@dataclass(frozen=True)
class SurveyToken:
    tenant_id: uuid.UUID
    invitation_id: uuid.UUID
    expires_at: datetime


def _key(secret_key: str) -> bytes:
    return hashlib.sha256(PURPOSE + secret_key.encode()).digest()


def _mac(secret_key: str, payload: bytes) -> bytes:
    return hmac.new(_key(secret_key), payload, hashlib.sha256).digest()[:MAC_BYTES]


def sign(secret_key: str, tenant_id: uuid.UUID, invitation_id: uuid.UUID,
         expires_at: datetime) -> str:
    payload = (tenant_id.bytes + invitation_id.bytes
               + int(expires_at.timestamp()).to_bytes(8, "big"))
    return base64.urlsafe_b64encode(payload + _mac(secret_key, payload)).rstrip(b"=").decode()


def page_url(base_url: str, token: str) -> str:
    """The public answer page (no login) for a token."""
    return base_url.rstrip("/") + PAGE_PATH + token


def expired(found: SurveyToken) -> RapportError:
    return RapportError(
        detail=f"This survey link expired on {found.expires_at:%Y-%m-%d}; ask for a new one",
        status=410, title="Link expired")


def verify(secret_key: str, token: str, now: datetime | None = None) -> SurveyToken:
    """The token's tenant, invitation and expiry; 422 on ``token`` when it was not signed
    here (altered, truncated, foreign), 410 when its time has passed."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    payload, mac = raw[:PAYLOAD_BYTES], raw[PAYLOAD_BYTES:]
    if len(raw) != PAYLOAD_BYTES + MAC_BYTES or not hmac.compare_digest(
            mac, _mac(secret_key, payload)):
        raise invalid("token", "not a survey link of this service (altered or foreign)")
    found = SurveyToken(uuid.UUID(bytes=payload[:16]), uuid.UUID(bytes=payload[16:32]),
                        datetime.fromtimestamp(int.from_bytes(payload[32:], "big"), UTC))
    if found.expires_at <= (now or datetime.now(UTC)):
        raise expired(found)
    return found
