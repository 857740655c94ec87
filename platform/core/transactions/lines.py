"""Priced lines at the edge: what a deal or a transaction lists (product, its optional
category, quantity, unit price)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Annotated, Protocol

import msgspec

from rapport.core.transactions import money
from rapport.errors import invalid
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
    # The product's category ("Shoes"), for "bought in a category" (segments' purchases).
    category: Name | None = None

    def __post_init__(self) -> None:
        money.exact_fields(self, "quantity", "unit_price")


Lines = Annotated[list[LineIn], msgspec.Meta(max_length=money.MAX_LINES)]


class LineOut(msgspec.Struct):
    product: str
    quantity: str
    unit_price: str
    amount: str
    category: str | None


class StoredLine(Protocol):
    product: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    category: str | None


def _category(where: str, value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise invalid(where, "must not be blank (leave it out instead)")
    return value


def price(field: str, lines: Sequence[LineIn], currency: str) -> list[money.Line]:
    """Priced lines with their categories; callers building lines of their own (the
    retail till) may leave ``category`` out of their line objects."""
    priced = money.price_lines(
        field, [(line.product, line.quantity, line.unit_price) for line in lines], currency
    )
    return [
        replace(line, category=_category(f"{field}[{i}].category",
                                         getattr(given, "category", None)))
        for i, (line, given) in enumerate(zip(priced, lines, strict=True))
    ]


def shown(lines: Sequence[StoredLine], currency: str) -> list[LineOut]:
    return [
        LineOut(
            product=line.product,
            quantity=money.plain(line.quantity),
            unit_price=money.price_text(line.unit_price, currency),
            amount=money.as_text(line.amount, currency),
            category=line.category,
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
            **({"category": line.category} if line.category is not None else {}),
        }
        for line in lines
    ]
