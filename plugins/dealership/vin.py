"""Vehicle identification numbers (ISO 3779): 17 characters, never I, O or Q, and in
North America and China a check digit in position 9 (49 CFR 565)."""

from __future__ import annotations

import re

from rapport.sdk import invalid

_SHAPE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_VALUES = {**{str(d): d for d in range(10)},
           **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
           **dict(zip("JKLMN", range(1, 6), strict=True)), "P": 7, "R": 9,
           **dict(zip("STUVWXYZ", range(2, 10), strict=True))}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# Markets whose regulators require the check digit; elsewhere position 9 is free.
CHECK_DIGIT_MARKETS = frozenset({"north_america", "china"})


def check_digit(vin: str) -> str:
    total = sum(_VALUES[c] * w for c, w in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def problem(vin: str, market: str) -> str | None:
    """Why ``vin`` is not a valid VIN in ``market``, or None."""
    if len(vin) != 17:
        return "must be 17 characters"
    if not _SHAPE.match(vin):
        return "may hold only digits and capital letters other than I, O and Q"
    if market in CHECK_DIGIT_MARKETS and vin[8] != check_digit(vin):
        return f"check digit (position 9) should be {check_digit(vin)}"
    return None


def clean_vin(vin: str, market: str, field: str = "vin") -> str:
    """The VIN in capitals, or a 422 naming ``field`` and the rule it breaks."""
    vin = vin.strip().upper()
    reason = problem(vin, market)
    if reason is not None:
        raise invalid(field, reason)
    return vin
