"""The card scan in one statement: the card, its member, program and contact, the tenant's
default language, the program's tiers, the member's active vouchers and last visits, and
the three kinds of offers read from the database (five visits, three offers of each kind:
rules on SKUs the member bought, what their relationship groups buy, affordable rewards;
the tier's perks are added in Python) — answered by PostgreSQL as one JSON object and
decoded by msgspec straight into ``Scan``, no ORM objects.

The statement lives in the database as the function ``retail_card_scan`` (migration
``retail_0012``; change it there with a new migration): sent as text it was planned again
on every scan, about 7 ms of planning for about 1 ms of execution, because the app never
prepares statements (``rapport.db.session.CONNECT_ARGS``); a PL/pgSQL function keeps its
plan per server connection, behind PgBouncer too. Each part is an index walk by key (the
card's number, the member's id, the program's id), so that kept generic plan is the plan a
custom one would be, and the balance is a column: the scan costs the same on a tenant of
a thousand members or a million. ``bench/retail.py`` runs this same statement directly
with psycopg as the baseline.
"""

from __future__ import annotations

import uuid
from datetime import date

import msgspec
from sqlalchemy import String, Text, Uuid, bindparam, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import ReadTransaction, fetch_one
from rapport_plugins.retail import schemas

# Built once; sent straight on the request's connection (``rapport.sdk.fetch_one``), not
# through the ORM's execution layer, which cost more than the statement's own Python.
STATEMENT = select(cast(func.retail_card_scan(bindparam("t", type_=Uuid()),
                                              bindparam("number", type_=String())), Text))
SQL = "SELECT retail_card_scan(:t, :number)::text"  # the same, as bench/retail.py sends it


class TierRow(msgspec.Struct):
    id: uuid.UUID
    name: str
    threshold: int
    perks: list[str]


class Scan(msgspec.Struct):
    """One scanned card: the function's JSON object as PostgreSQL writes it (its keys are
    the statement's columns; a list no row fills is null), decoded in one pass."""

    number: str
    kind: str
    state: str
    replacement: str | None
    member_id: uuid.UUID
    contact_id: uuid.UUID
    balance: int
    pending: int
    qualifying_points: int
    tier_id: uuid.UUID | None
    staff: bool
    notes: str | None
    program: str
    currency: str
    time_zone: str
    display_name: str
    email: str | None
    language: str | None
    honorific: str | None
    given_name: str | None
    patronymic: str | None
    family_name: str | None
    preferred_name: str | None
    birthday: date | None
    default_locale: str | None
    tier_rows: list[TierRow] | None = msgspec.field(name="tiers")
    voucher_rows: list[schemas.VoucherOut] | None = msgspec.field(name="vouchers")
    visit_rows: list[schemas.Visit] | None = msgspec.field(name="visits")
    bonus: list[schemas.Offer] | None = None
    liked: list[schemas.Offer] | None = None
    rewards: list[schemas.Offer] | None = None

    @property
    def names(self) -> dict[str, str | None]:
        """The contact's name parts, as the kernel's salutation takes them."""
        return {"honorific": self.honorific, "given_name": self.given_name,
                "patronymic": self.patronymic, "family_name": self.family_name,
                "preferred_name": self.preferred_name}

    @property
    def tiers(self) -> list[TierRow]:
        return self.tier_rows or []

    @property
    def vouchers(self) -> list[schemas.VoucherOut]:
        return self.voucher_rows or []

    @property
    def visits(self) -> list[schemas.Visit]:
        return self.visit_rows or []

    @property
    def offers(self) -> list[schemas.Offer]:
        """Bonus rules on what the member bought, what their groups buy, affordable
        rewards — in that order."""
        return (self.bonus or []) + (self.liked or []) + (self.rewards or [])


_decode = msgspec.json.Decoder(Scan).decode


async def scan(db: AsyncSession | ReadTransaction, tenant_id: uuid.UUID, number: str
               ) -> Scan | None:
    row = await fetch_one(db, STATEMENT, {"t": tenant_id, "number": number})
    raw = None if row is None else row[0]
    return None if raw is None else _decode(raw)
