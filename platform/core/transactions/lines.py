"""Priced lines at the edge: what a deal or a transaction lists (product, quantity, unit price)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Protocol

import msgspec

from rapport.core.transactions import money
from rapport.fieldtypes import Name

CurrencyCode = Annotated[
    str,
    msgspec.Meta(
        min_length=3, max_length=3, pattern="^[A-Za-z]{3}$",
        description="An active ISO 4217 currency code (EUR, USD, UAH); any case",
        examples=["EUR"],
    ),
]


class LineIn(msgspec.Struct, forbid_unknown_fields=True):
    product: Name
    # Plain decimal strings ("2.5") or JSON numbers (money.DecimalIn), as Decimal after.
    quantity: money.DecimalIn
    unit_price: money.DecimalIn

    def __post_init__(self) -> None:
        money.exact_fields(self, "quantity", "unit_price")


Lines = Annotated[list[LineIn], msgspec.Meta(max_length=money.MAX_LINES)]


class LineOut(msgspec.Struct):
    product: str
    quantity: str
    unit_price: str
    amount: str


class StoredLine(Protocol):
    product: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


def price(field: str, lines: Sequence[LineIn], currency: str) -> list[money.Line]:
    return money.price_lines(
        field, [(line.product, line.quantity, line.unit_price) for line in lines], currency
    )


def shown(lines: Sequence[StoredLine], currency: str) -> list[LineOut]:
    return [
        LineOut(
            product=line.product,
            quantity=money.plain(line.quantity),
            unit_price=money.price_text(line.unit_price, currency),
            amount=money.as_text(line.amount, currency),
        )
        for line in lines
    ]


def audited(lines: Sequence[StoredLine], currency: str | None) -> list[dict[str, str]]:
    """Lines as the audit log and event payloads record them (exact strings)."""
    return [
        {
            "product": line.product,
            "quantity": money.plain(line.quantity),
            "unit_price": money.plain(line.unit_price),
            "amount": money.as_text(line.amount, currency),
        }
        for line in lines
    ]
