"""Which modules one tenant has switched on — the one query for it.

Background work (the outbox worker, task reminders) awaits ``enabled_modules``; a request's
authentication loads the same set in the query that loads the member, as the column
``enabled_array`` gives; a single module's check is ``is_enabled``.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.modules.models import TenantModule

TenantId = uuid.UUID | ColumnElement[Any]


def enabled_statement(tenant_id: TenantId) -> Select[str]:
    """The names of the tenant's enabled modules, one row each."""
    return select(TenantModule.name).where(
        TenantModule.tenant_id == tenant_id, TenantModule.enabled.is_(True)
    )


def enabled_array(tenant_id: TenantId) -> ScalarSelect[list[str]]:
    """The same names as one ``varchar[]`` column (empty, never NULL), to select alongside
    the member or peer a request authenticates as."""
    names = func.coalesce(func.array_agg(TenantModule.name), text("'{}'::varchar[]"))
    return enabled_statement(tenant_id).with_only_columns(names).scalar_subquery()


async def enabled_modules(session: AsyncSession, tenant_id: uuid.UUID) -> frozenset[str]:
    return frozenset(await session.scalars(enabled_statement(tenant_id)))


async def is_enabled(session: AsyncSession, tenant_id: uuid.UUID, name: str) -> bool:
    found = await session.scalar(
        enabled_statement(tenant_id).where(TenantModule.name == name).limit(1)
    )
    return found is not None
