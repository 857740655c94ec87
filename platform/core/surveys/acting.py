"""Who acts for a public answer (no one is signed in): the member who sent the invitation,
else the survey's manager, else the tenant's first owner — the first of them who may still
write. The interaction, the task and the event record that member as their author; the
interaction's source says the contact answered."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.modules import acting_member
from rapport.hooks import PluginRegistry
from rapport.tenancy.models import Membership, Role, Tenant, User
from rapport.tenancy.principal import Principal


async def acting_for(session: AsyncSession, registry: PluginRegistry, tenant_id: uuid.UUID,
                     *candidates: uuid.UUID | None) -> Principal:
    query = (select(Membership, User, Tenant).join(User, User.id == Membership.user_id)
             .join(Tenant, Tenant.id == Membership.tenant_id)
             .where(Membership.tenant_id == tenant_id))
    for membership_id in candidates:
        if membership_id is None:
            continue
        row = (await session.execute(query.where(Membership.id == membership_id))).first()
        if row is not None:
            actor = await acting_member(session, registry, row[2], row[0], row[1])
            if actor.can_write:
                return actor
    row = (await session.execute(query.where(Membership.role == Role.OWNER)
                                 .order_by(Membership.id).limit(1))).one()
    return await acting_member(session, registry, row[2], row[0], row[1])
