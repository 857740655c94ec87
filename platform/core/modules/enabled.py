"""Which modules one tenant has switched on: what background work (the outbox worker,
task reminders) asks before calling that tenant's plugins. Requests get the same answer
from the authenticated principal instead."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.modules.models import TenantModule


async def enabled_modules(session: AsyncSession, tenant_id: uuid.UUID) -> frozenset[str]:
    rows = await session.execute(
        select(TenantModule.name).where(
            TenantModule.tenant_id == tenant_id, TenantModule.enabled.is_(True)
        )
    )
    return frozenset(rows.scalars())
