"""Keyset cursors over ``(occurred_at, id)``: exact while rows share a timestamp and while
new rows arrive, unlike a bare ``before`` time."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime
from typing import TypeVar

import msgspec

from rapport.errors import RapportError

T = TypeVar("T")

# The longest cursor this API issues is well under this; the bound is for query params.
MAX_CURSOR = 400
# Times we store lie well inside these; a cursor outside them was not issued by us (and
# could overflow when the timeline steps a microsecond past it).
_EARLIEST = datetime(1800, 1, 1, tzinfo=UTC)
_LATEST = datetime(2300, 1, 1, tzinfo=UTC)


def bad_cursor() -> RapportError:
    return RapportError(detail="cursor: not a cursor this API issued", status=400)


def issued_time(at: datetime) -> bool:
    return at.tzinfo is not None and _EARLIEST <= at < _LATEST


def encode(*parts: object) -> str:
    """An opaque, URL-safe cursor of a few JSON-serialisable parts (datetimes, uuids, str)."""
    raw = msgspec.json.encode([str(p) if isinstance(p, uuid.UUID) else p for p in parts])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, types: type[T]) -> T:
    """The parts of ``cursor`` as ``types`` (a ``tuple[...]`` type); 400 for anything we did
    not issue."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=types)
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
        raise bad_cursor() from exc


def encode_position(occurred_at: datetime, record_id: uuid.UUID) -> str:
    return encode(occurred_at, record_id)


def decode_position(cursor: str) -> tuple[datetime, uuid.UUID]:
    at, record_id = decode(cursor, tuple[datetime, uuid.UUID])
    if not issued_time(at):
        raise bad_cursor()
    return at, record_id
