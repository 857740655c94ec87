"""Events the plugin emits (``dealership.<what>``, listed in docs/dealership.md). Payloads go
through ``audit.jsonable`` first: they carry dates and nested ids the outbox stores as JSON."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, TenantHooks, audit, emit


async def announce(db: AsyncSession, principal: Principal | None, hooks: TenantHooks, name: str,
                   record_type: str, record_id: uuid.UUID, payload: dict[str, Any], *,
                   tenant_id: uuid.UUID | None = None) -> None:
    await emit(db, principal, hooks, name, record_type, record_id, audit.jsonable(payload),
               tenant_id=tenant_id)
