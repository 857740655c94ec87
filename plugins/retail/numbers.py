"""Decimal strings at the edge → ``Decimal``, with 422s naming the field."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from rapport.sdk import invalid


def decimal(field: str, value: str, *, low: Decimal | None = Decimal(0),
            high: Decimal | None = None, positive: bool = False) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise invalid(field, "must be a decimal number") from None
    if not number.is_finite():
        raise invalid(field, "must be a decimal number")
    if positive and number <= 0:
        raise invalid(field, "must be greater than 0")
    if low is not None and number < low:
        raise invalid(field, f"must be at least {low}")
    if high is not None and number > high:
        raise invalid(field, f"must be at most {high}")
    return number


def text(value: Decimal | None) -> str | None:
    if value is None:
        return None
    normal = value.normalize()
    return f"{normal:f}" if normal != 0 else "0"
