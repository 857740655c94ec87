"""Promise alerts, from ``rapport worker``: the promising member and the sales managers get
one notification a configurable number of days before a promise is due and one when it
passes, each once (the row is claimed with ``FOR UPDATE SKIP LOCKED`` and stamped in the
same transaction, so several workers never double-send). A delivery-date promise tied to
an order that is still not delivered when it passes is broken by the same pass."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.sdk import (
    TenantHooks,
    enabled_modules,
    load_settings,
    notify,
    tenant_session,
)
from rapport_plugins.dealership import promises
from rapport_plugins.dealership.events import announce
from rapport_plugins.dealership.members import managers, managers_of
from rapport_plugins.dealership.models import Order, Promise
from rapport_plugins.dealership.settings import DealershipSettings

RECORD = "dealership.promise"


async def run(sessions: async_sessionmaker[AsyncSession], registry: Any, batch: int,
              max_tenants: int) -> int:
    async with tenant_session(sessions, None) as session:
        tenants = list((await session.execute(
            text("SELECT dealership_due_tenants(:n)"), {"n": max_tenants})).scalars())
    handled = 0
    for tenant_id in tenants:
        async with tenant_session(sessions, tenant_id) as session:
            enabled = await enabled_modules(session, tenant_id)
            if "dealership" not in enabled:
                continue  # its promises wait, kept, until the module is on again
            handled += await remind_tenant(session, registry.for_tenant(enabled), tenant_id,
                                           batch)
    return handled


async def remind_tenant(session: AsyncSession, hooks: TenantHooks, tenant_id: uuid.UUID,
                        batch: int = 200) -> int:
    """One tenant's due alerts, in ``session`` (in that tenant's context); how many sent."""
    settings = await load_settings(session, tenant_id, "dealership", DealershipSettings)
    now = datetime.now(UTC)
    bosses = await managers(session, tenant_id)
    soon = await _claim(session, tenant_id, batch, Promise.reminded_before_at.is_(None),
                        Promise.due_at > now,
                        Promise.due_at <= now + timedelta(days=settings.remind_days_before))
    for p in soon:
        p.reminded_before_at = now
        await _tell(session, hooks, p, bosses, "dealership.promise_due_soon",
                    f"Promise due {p.due_at:%Y-%m-%d}: {p.text}")
    late = await _claim(session, tenant_id, batch, Promise.reminded_overdue_at.is_(None),
                        Promise.due_at <= now)
    for p in late:
        p.reminded_overdue_at = now
        p.reminded_before_at = p.reminded_before_at or now
        await _tell(session, hooks, p, bosses, "dealership.promise_overdue",
                    f"Promise overdue since {p.due_at:%Y-%m-%d}: {p.text}")
        if p.kind == "delivery_date" and p.order_id is not None:
            delivered = await session.scalar(select(Order.delivered_on).where(
                Order.tenant_id == tenant_id, Order.id == p.order_id))
            if delivered is None:
                await promises.decide(session, None, hooks, p, "broken",
                                      "not delivered by the promised date",
                                      tenant_id=tenant_id)
    await session.flush()
    return len(soon) + len(late)


async def _claim(session: AsyncSession, tenant_id: uuid.UUID, batch: int,
                 *conditions: Any) -> list[Promise]:
    return list((await session.execute(
        select(Promise).where(Promise.tenant_id == tenant_id, Promise.status == "open",
                              *conditions)
        .order_by(Promise.due_at).limit(batch).with_for_update(skip_locked=True))).scalars())


async def _tell(session: AsyncSession, hooks: TenantHooks, p: Promise,
                bosses: list[tuple[uuid.UUID, str | None]], kind: str, title: str) -> None:
    for recipient in dict.fromkeys([p.promised_by, *managers_of(bosses, p.branch)]):
        await notify(session, p.tenant_id, recipient, kind, title, record_type=RECORD,
                     record_id=p.id, data={"due_at": p.due_at.isoformat(),
                                           "contact_id": str(p.contact_id)})
    await announce(session, None, hooks, kind, RECORD, p.id,
               {"due_at": p.due_at, "promised_by": p.promised_by,
                "contact_id": p.contact_id}, tenant_id=p.tenant_id)
