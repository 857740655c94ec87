"""The outbox, delivered: committed events of one tenant go to its plugins'
``rapport_event_committed`` consumers (``rapport.worker`` runs the passes).

At least once, in order per tenant, several workers side by side (``FOR UPDATE SKIP
LOCKED``). A failing consumer leaves its event pending with the error recorded and a
growing delay before the next attempt; other events and tenants carry on.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import structlog
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.core.events.models import OutboxEvent
from rapport.core.events.retry import backoff
from rapport.db.session import tenant_session
from rapport.hooks import DomainEvent, PluginHookError, TenantHooks

log = structlog.get_logger("rapport.worker")


async def due_tenants(maker: async_sessionmaker[AsyncSession], max_tenants: int) -> list[uuid.UUID]:
    """Tenants with events due, oldest first, at most ``max_tenants``."""
    async with tenant_session(maker, None) as session:
        return list(
            (
                await session.execute(
                    text("SELECT rapport_outbox_due_tenants(:n)"), {"n": max_tenants}
                )
            ).scalars()
        )


async def deliver_tenant(
    session: AsyncSession, hooks: TenantHooks, tenant_id: uuid.UUID, batch: int
) -> int:
    """Deliver up to ``batch`` due events of one tenant in its open transaction ``session``
    to ``hooks`` (the kernel areas and the plugins that tenant enabled)."""
    rows = (
        await session.execute(
            select(OutboxEvent)
            .where(
                OutboxEvent.tenant_id == tenant_id,
                OutboxEvent.dispatched_at.is_(None),
                OutboxEvent.next_attempt_at <= datetime.now(UTC),
            )
            .order_by(OutboxEvent.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
    ).scalars()
    handled = 0
    for row in rows:
        event = DomainEvent(
            name=row.name,
            tenant_id=tenant_id,
            record_type=row.record_type,
            record_id=row.record_id,
            payload=dict(row.payload or {}),
            session=session,
            actor=None,
            id=row.id,
            occurred_at=row.created_at,
        )
        try:
            # A consumer's own writes roll back alone if it fails.
            async with session.begin_nested():
                await hooks.call_each("rapport_event_committed", event=event)
        except PluginHookError as exc:
            row.attempts += 1
            row.last_error = f"{exc.plugin}: {type(exc.error).__name__}: {exc.error}"[:1000]
            row.next_attempt_at = datetime.now(UTC) + backoff(row.attempts)
            log.warning("event delivery failed", event_id=str(row.id), plugin=exc.plugin,
                        attempts=row.attempts)
        else:
            row.dispatched_at = datetime.now(UTC)
        handled += 1
    return handled
