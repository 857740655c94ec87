"""Earning without a purchase from the customer's own actions, once per member each:
completing the profile (given and family name, e-mail and birthday all known) and opting in
to the newsletter (a ``consent.changed`` to ``opt_in`` on the ``newsletter`` topic). The
entries' external ids (``profile``, ``newsletter``) are unique per member."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Contact
from rapport_plugins.retail.ledger import Source, by_external_id, credit, lock_member
from rapport_plugins.retail.models import Member, Program

NEWSLETTER = "newsletter"


def complete(contact: Contact) -> bool:
    return bool(contact.given_name and contact.family_name and contact.email
                and contact.birthday)


async def _grant(db: AsyncSession, tenant_id: uuid.UUID, contact_id: uuid.UUID, key: str,
                 column: Any, reason: str) -> int:
    rows = (await db.execute(
        select(Member.id, Program).join(Program, (Program.tenant_id == Member.tenant_id)
                                        & (Program.id == Member.program_id))
        .where(Member.tenant_id == tenant_id, Member.contact_id == contact_id, column > 0)
        .order_by(Member.id))).tuples().all()
    granted = 0
    for member_id, program in rows:
        member = await lock_member(db, tenant_id, member_id)
        if await by_external_id(db, member, key) is None:
            await credit(db, member, program, "bonus", getattr(program, column.key),
                         qualifying=False, source=Source(external_id=key, reason=reason))
            granted += 1
    return granted


async def profile(db: AsyncSession, tenant_id: uuid.UUID, contact_id: uuid.UUID) -> int:
    contact = (await db.execute(select(Contact).where(
        Contact.tenant_id == tenant_id, Contact.id == contact_id))).scalar_one_or_none()
    if contact is None or not complete(contact):
        return 0
    return await _grant(db, tenant_id, contact_id, "profile", Program.profile_bonus,
                        "profile completed")


async def newsletter(db: AsyncSession, tenant_id: uuid.UUID, contact_id: uuid.UUID,
                     payload: dict[str, Any]) -> int:
    if payload.get("topic") != NEWSLETTER or payload.get("status") != "opt_in":
        return 0
    return await _grant(db, tenant_id, contact_id, "newsletter", Program.newsletter_bonus,
                        "subscribed to the newsletter")
