"""Deal shapes at the edge. Money travels as strings ("12.50"); numbers are accepted too."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

import msgspec

from rapport.core.deals.models import Deal
from rapport.core.transactions import money
from rapport.core.transactions.lines import CurrencyCode, LineOut, Lines, shown
from rapport.core.transactions.money import OptionalDecimalIn
from rapport.fieldtypes import Name, Patch

Probability = Annotated[int, msgspec.Meta(ge=0, le=100)]


class DealIn(msgspec.Struct, forbid_unknown_fields=True):
    openapi_example: ClassVar[dict[str, Any]] = {
        "title": "Clinic fit-out",
        "amount": "12500.00",
        "currency": "EUR",
        "expected_close_date": "2026-03-31",
    }
    title: Name
    amount: OptionalDecimalIn = None
    currency: CurrencyCode | None = None
    probability: Probability | None = None
    expected_close_date: date | None = None
    contact_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    # A member id (GET /api/v1/members); the creator when left out.
    owner_id: uuid.UUID | None = None
    # When given, the deal's amount is their sum.
    lines: Lines | None = None

    def __post_init__(self) -> None:
        money.exact_fields(self, "amount")

    def values(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__struct_fields__}


class DealPatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    title: Name | msgspec.UnsetType = msgspec.UNSET
    amount: OptionalDecimalIn | msgspec.UnsetType = msgspec.UNSET
    currency: CurrencyCode | msgspec.UnsetType | None = msgspec.UNSET
    probability: Probability | msgspec.UnsetType | None = msgspec.UNSET
    expected_close_date: date | msgspec.UnsetType | None = msgspec.UNSET
    contact_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    organization_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    owner_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    # Replaces every line; [] or null removes them (the amount then stays as it was).
    lines: Lines | msgspec.UnsetType | None = msgspec.UNSET

    def __post_init__(self) -> None:
        money.exact_fields(self, "amount")


class TransitionIn(msgspec.Struct, forbid_unknown_fields=True):
    note: Annotated[str, msgspec.Meta(max_length=2000, pattern=r"^[^\x00]*$")] | None = None


class StageOut(msgspec.Struct):
    # Its OpenAPI component's name: another area has a struct of the same name.
    __schema_name__ = "DealStageOut"
    key: str
    label: str


class DealOut(msgspec.Struct):
    id: uuid.UUID
    title: str
    stage: StageOut
    amount: str | None
    currency: str | None
    probability: int | None
    expected_close_date: date | None
    contact_id: uuid.UUID | None
    organization_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    lines: list[LineOut]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, deal: Deal, labels: dict[str, str]) -> DealOut:
        """``labels``: the tenant's stage labels (renamed and added stages included)."""
        currency = deal.currency or ""
        return cls(
            id=deal.id,
            title=deal.title,
            stage=StageOut(deal.stage, labels.get(deal.stage, deal.stage)),
            amount=None if deal.amount is None else money.as_text(deal.amount, deal.currency),
            currency=deal.currency,
            probability=deal.probability,
            expected_close_date=deal.expected_close_date,
            contact_id=deal.contact_id,
            organization_id=deal.organization_id,
            owner_id=deal.owner_id,
            lines=shown(deal.lines, currency),
            created_at=deal.created_at,
            updated_at=deal.updated_at,
        )


class DealList(msgspec.Struct):
    items: list[DealOut]
    next_cursor: str | None
