"""Transaction shapes at the edge. Money travels as strings ("12.50"); numbers are accepted."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from rapport.core.transactions import money
from rapport.core.transactions.lines import CurrencyCode, LineOut, Lines, shown
from rapport.core.transactions.models import Transaction
from rapport.core.transactions.money import OptionalDecimalIn
from rapport.fieldtypes import ShortText

ExternalId = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]
Channel = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Moment = Annotated[datetime, msgspec.Meta(tz=True)]


class TransactionIn(msgspec.Struct, forbid_unknown_fields=True):
    currency: CurrencyCode
    occurred_at: Moment
    # Where it happened: "store", "web", "app", "phone", … (lowercase, digits, "_").
    channel: Channel
    # The sender's own id: sending the same purchase again stores it once.
    external_id: ExternalId | None = None
    kind: Literal["purchase", "order"] = "purchase"
    contact_id: uuid.UUID | None = None
    # Required without lines; with lines it is their sum (and may be left out).
    amount: OptionalDecimalIn = None
    point_of_sale: ShortText | None = None
    lines: Lines | None = None

    def __post_init__(self) -> None:
        money.exact_fields(self, "amount")

    def values(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__struct_fields__}


class TransactionOut(msgspec.Struct):
    id: uuid.UUID
    external_id: str | None
    kind: str
    contact_id: uuid.UUID | None
    amount: str
    currency: str
    occurred_at: datetime
    channel: str
    point_of_sale: str | None
    lines: list[LineOut]
    recorded_by: uuid.UUID | None
    created_at: datetime

    @classmethod
    def of(cls, txn: Transaction) -> TransactionOut:
        return cls(
            id=txn.id,
            external_id=txn.external_id,
            kind=txn.kind,
            contact_id=txn.contact_id,
            amount=money.as_text(txn.amount, txn.currency),
            currency=txn.currency,
            occurred_at=txn.occurred_at,
            channel=txn.channel,
            point_of_sale=txn.point_of_sale,
            lines=shown(txn.lines, txn.currency),
            recorded_by=txn.recorded_by,
            created_at=txn.created_at,
        )


class TransactionList(msgspec.Struct):
    items: list[TransactionOut]
    next_cursor: str | None
