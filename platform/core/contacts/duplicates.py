"""Is this person already in the tenant? Candidates by email, by phone, and by a name that
nearly matches on the same birthday — each an index-led look-up, so the check costs the
same with ten contacts or a million.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Float, Select, cast, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from rapport.core.contacts.models import Contact, ContactEmail, ContactPhone

EMAIL = "email"
PHONE = "phone"
NAME_BIRTHDAY = "name_birthday"
# pg_trgm similarity of the folded full names at which two people born the same day are
# probably one (catches "Shevchenko"/"Shevchenka", a missing patronymic, swapped order).
NAME_SIMILARITY = 0.5
MAX_CANDIDATES = 10


@dataclass(frozen=True)
class Candidate:
    id: uuid.UUID
    display_name: str
    email: str | None
    reason: str
    score: float


@dataclass(frozen=True)
class PersonName:
    """A name as compared: given + family, and in full (a patronymic or preferred name
    present on one record only must not hide an otherwise equal name)."""

    given: str | None = None
    patronymic: str | None = None
    family: str | None = None
    preferred: str | None = None

    @property
    def short(self) -> str:
        return " ".join(p for p in (self.given, self.family) if p)

    @property
    def full(self) -> str:
        parts = (self.given, self.patronymic, self.family, self.preferred)
        return " ".join(p for p in parts if p)


def _name_score(name: PersonName) -> ColumnElement[float]:
    short = func.lower(func.concat_ws(" ", Contact.given_name, Contact.family_name))
    full = func.lower(func.concat_ws(" ", Contact.given_name, Contact.patronymic,
                                     Contact.family_name, Contact.preferred_name))
    return func.greatest(func.similarity(short, func.lower(name.short)),
                         func.similarity(full, func.lower(name.full)))


def by_email(tenant_id: uuid.UUID, keys: Sequence[str]) -> Select[uuid.UUID, str, str | None]:
    return (
        select(Contact.id, Contact.display_name, Contact.email)
        .join(ContactEmail, (ContactEmail.tenant_id == Contact.tenant_id)
              & (ContactEmail.contact_id == Contact.id))
        .where(ContactEmail.tenant_id == tenant_id, ContactEmail.address_key.in_(keys),
               Contact.deleted_at.is_(None))
        .limit(MAX_CANDIDATES)
    )


def by_phone(tenant_id: uuid.UUID, numbers: Sequence[str]) -> Select[uuid.UUID, str, str | None]:
    return (
        select(Contact.id, Contact.display_name, Contact.email)
        .join(ContactPhone, (ContactPhone.tenant_id == Contact.tenant_id)
              & (ContactPhone.contact_id == Contact.id))
        .where(ContactPhone.tenant_id == tenant_id, ContactPhone.number.in_(numbers),
               Contact.deleted_at.is_(None))
        .distinct()
        .limit(MAX_CANDIDATES)
    )


def by_name_and_birthday(
    tenant_id: uuid.UUID, name: PersonName, birthday: date
) -> Select[uuid.UUID, str, str | None, float]:
    """The birthday narrows through its index; similarity runs on those few rows only."""
    return (
        select(Contact.id, Contact.display_name, Contact.email, _name_score(name))
        .where(Contact.tenant_id == tenant_id, Contact.birthday == birthday,
               Contact.deleted_at.is_(None))
        .limit(200)
    )


async def candidates(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    email_keys: Sequence[str] = (),
    phones: Sequence[str] = (),
    name: PersonName | None = None,
    birthday: date | None = None,
    exclude: uuid.UUID | None = None,
) -> list[Candidate]:
    """Existing contacts that may be the person described, best reason first."""
    found: dict[uuid.UUID, Candidate] = {}

    def keep(c: Candidate) -> None:
        if c.id != exclude and (c.id not in found or found[c.id].score < c.score):
            found[c.id] = c

    # Every look-up asked for in one round trip: each branch keeps its own index-led plan
    # and LIMIT (parenthesised in the UNION ALL), tagged with its reason.
    sure = cast(literal(1.0), Float)
    branches: list[Select[Any]] = []
    if email_keys:
        branches.append(by_email(tenant_id, email_keys).add_columns(literal(EMAIL), sure))
    if phones:
        branches.append(by_phone(tenant_id, phones).add_columns(literal(PHONE), sure))
    if name is not None and name.full and birthday is not None:
        near = by_name_and_birthday(tenant_id, name, birthday)
        branches.append(
            near.with_only_columns(
                Contact.id, Contact.display_name, Contact.email, literal(NAME_BIRTHDAY),
                cast(_name_score(name), Float),
            )
        )
    if not branches:
        return []
    query = branches[0] if len(branches) == 1 else union_all(*branches)
    for cid, shown, email, reason, score in await session.execute(query):
        if reason != NAME_BIRTHDAY:
            keep(Candidate(cid, shown, email, reason, 1.0))
        elif score is not None and score >= NAME_SIMILARITY:
            keep(Candidate(cid, shown, email, NAME_BIRTHDAY, round(float(score), 3)))
    ranked = sorted(found.values(), key=lambda c: (-c.score, c.reason, str(c.id)))
    return ranked[:MAX_CANDIDATES]
