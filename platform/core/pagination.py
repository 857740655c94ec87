"""Keyset pagination over time-ordered ids: stable while rows are being inserted."""

from __future__ import annotations

import base64
import binascii
import uuid

from rapport.errors import RapportError

MAX_LIMIT = 200


def encode_cursor(last_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(last_id.bytes).decode().rstrip("=")


def decode_cursor(cursor: str) -> uuid.UUID:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return uuid.UUID(bytes=raw)
    except (binascii.Error, ValueError) as exc:
        raise RapportError(detail="cursor: not a cursor this API issued", status=400) from exc
