"""Links a request body names (a contact, a member, a deal) must exist in the caller's tenant.

A link to another tenant's record answers 422 naming the field, exactly as an id that does
not exist: the answer never reveals that some other tenant has it. The composite foreign
keys refuse such a link in the database as well.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts.models import Contact, Organization
from rapport.errors import invalid
from rapport.tenancy.models import Membership
from rapport.tenancy.principal import Principal


async def require_contact(
    session: AsyncSession, actor: Principal, field: str, contact_id: uuid.UUID | None
) -> None:
    if contact_id is None:
        return
    found = await session.scalar(
        select(Contact.id).where(Contact.tenant_id == actor.tenant_id, Contact.id == contact_id,
                                 Contact.deleted_at.is_(None))
    )
    if found is None:
        raise invalid(field, "no such contact")


async def require_member(
    session: AsyncSession, actor: Principal, field: str, membership_id: uuid.UUID | None
) -> None:
    if membership_id is None:
        return
    found = await session.scalar(
        select(Membership.id).where(
            Membership.tenant_id == actor.tenant_id, Membership.id == membership_id
        )
    )
    if found is None:
        raise invalid(field, "no such member of this organization")


async def require_organization(
    session: AsyncSession, actor: Principal, field: str, organization_id: uuid.UUID | None
) -> None:
    if organization_id is None:
        return
    found = await session.scalar(
        select(Organization.id).where(
            Organization.tenant_id == actor.tenant_id, Organization.id == organization_id,
            Organization.deleted_at.is_(None),
        )
    )
    if found is None:
        raise invalid(field, "no such organization")
