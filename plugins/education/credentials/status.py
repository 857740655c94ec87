"""W3C Bitstring Status List v1.0: a GZIP-compressed bitstring, multibase base64url
(``u`` prefix, no padding), index 0 the most significant bit of the first byte; at least
131,072 entries so one credential's position says nothing about the issuer's volume."""

from __future__ import annotations

import base64
import gzip

MIN_BITS = 131_072


def encode(revoked: set[int], size: int = MIN_BITS) -> str:
    size = max(size, MIN_BITS, (max(revoked) + 1) if revoked else 0)
    bits = bytearray((size + 7) // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode()
    return "u" + packed.rstrip("=")


def is_set(encoded: str, index: int) -> bool:
    """The bit at ``index``; ValueError for a list that is not one or is too short."""
    if not encoded.startswith("u"):
        raise ValueError("the encoded list is not multibase base64url")
    raw = encoded[1:]
    try:
        bits = gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (OSError, ValueError) as exc:
        raise ValueError("the encoded list is not a GZIP bitstring") from exc
    if index < 0 or index // 8 >= len(bits):
        raise ValueError("the status index is outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
