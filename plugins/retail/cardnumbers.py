"""Card numbers: digits with a Luhn check digit (ISO/IEC 7812), so a mistyped number is
refused at the till before any lookup."""

from __future__ import annotations

import re

from rapport.sdk import invalid

DIGITS = re.compile(r"^[0-9]{8,19}$")


def check_digit(body: str) -> str:
    """The Luhn digit that makes ``body + digit`` valid."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # doubled: the digit next to the (future) check digit, and every other
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def valid(number: str) -> bool:
    return bool(DIGITS.match(number)) and check_digit(number[:-1]) == number[-1]


def normal(field: str, number: str) -> str:
    """Spaces and dashes dropped (as printed on plastic); 422 naming ``field`` unless the
    rest is 8 to 19 digits with a correct check digit."""
    cleaned = number.replace(" ", "").replace("-", "")
    if not DIGITS.match(cleaned):
        raise invalid(field, "a card number is 8 to 19 digits")
    if check_digit(cleaned[:-1]) != cleaned[-1]:
        raise invalid(field, "the check digit is wrong (mistyped card number?)")
    return cleaned


def generated(prefix: str, sequence: int) -> str:
    """A 16-digit number: the program's prefix, the sequence, the check digit."""
    body = prefix + str(sequence).zfill(15 - len(prefix))
    return body + check_digit(body)
