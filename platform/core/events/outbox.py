"""The outbox, delivered: committed events of one tenant go to its plugins'
``rapport_event_committed`` consumers, or in batches (consecutive events of one name) to
those that implement ``rapport_events_committed`` (``rapport.worker`` runs the passes).

At least once, in order per tenant, several workers side by side (``FOR UPDATE SKIP
LOCKED``). A failing consumer leaves its event pending with the error recorded and a
growing delay before the next attempt; other events and tenants carry on.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from itertools import groupby
from typing import Any, cast

import structlog
from sqlalchemy import Row, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport import telemetry
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
    to ``hooks`` (the kernel areas and the plugins that tenant enabled).

    Consecutive events of one name go together: plugins implementing
    ``rapport_events_committed`` get them as one batch, the others one by one. A batch that
    fails is rolled back alone (a savepoint) and its events are delivered again one at a
    time, so only the event that fails stays pending; nothing is lost or handled twice.
    """
    # Claimed and marked delivered in one statement (a failed event is unmarked below, in
    # the same transaction), returned as Core rows, not ORM objects: thousands a pass.
    due = (
        select(OutboxEvent.id)
        .where(
            OutboxEvent.tenant_id == tenant_id,
            OutboxEvent.dispatched_at.is_(None),
            OutboxEvent.next_attempt_at <= datetime.now(UTC),
        )
        .order_by(OutboxEvent.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    claimed = (
        update(OutboxEvent)
        .where(OutboxEvent.tenant_id == tenant_id, OutboxEvent.id.in_(due))
        .values(dispatched_at=func.now())
        .returning(
            OutboxEvent.id, OutboxEvent.name, OutboxEvent.record_type,
            OutboxEvent.record_id, OutboxEvent.payload, OutboxEvent.created_at,
            OutboxEvent.attempts,
        )
        .cte("claimed")
    )
    # In id order (uuidv7: creation order) sorted by PostgreSQL: sorting thousands of
    # UUIDs in Python (their comparisons are Python code) cost ~20 µs an event.
    rows = (
        await session.execute(
            select(claimed).order_by(claimed.c.id).execution_options(synchronize_session=False)
        )
    ).all()
    batched = frozenset(
        impl.plugin_name for impl in hooks.rapport_events_committed.get_hookimpls()
    )
    singly = any(
        impl.plugin_name not in batched
        for impl in hooks.rapport_event_committed.get_hookimpls()
    )
    failed: dict[uuid.UUID, PluginHookError] = {}
    for _, run in groupby(rows, key=lambda row: row.name):
        events = [_event(session, tenant_id, row) for row in run]
        if batched:
            await _to_batches(hooks, events, failed)
        for event in events:
            if not singly or event.id in failed:
                continue
            try:
                # A consumer's own writes roll back alone if it fails.
                async with session.begin_nested():
                    await hooks.call_each("rapport_event_committed", skip=batched, event=event)
            except PluginHookError as exc:
                failed[cast(uuid.UUID, event.id)] = exc
    now = datetime.now(UTC)
    for row in rows:
        if row.id not in failed:
            telemetry.OUTBOX_LAG.observe(max((now - row.created_at).total_seconds(), 0.0))
    if failed:
        telemetry.JOB_FAILURES.labels("outbox").inc(len(failed))
    for row in rows:
        error = failed.get(row.id)
        if error is None:
            continue
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.tenant_id == tenant_id, OutboxEvent.id == row.id)
            .values(
                dispatched_at=None,
                attempts=row.attempts + 1,
                last_error=f"{error.plugin}: {type(error.error).__name__}: {error.error}"[:1000],
                next_attempt_at=datetime.now(UTC) + backoff(row.attempts + 1),
            )
            .execution_options(synchronize_session=False)
        )
        log.warning("event delivery failed", event_id=str(row.id), plugin=error.plugin,
                    attempts=row.attempts + 1)
    return len(rows)


def _event(session: AsyncSession, tenant_id: uuid.UUID, row: Row[Any]) -> DomainEvent:
    return DomainEvent(
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


async def _to_batches(
    hooks: TenantHooks, events: list[DomainEvent], failed: dict[uuid.UUID, PluginHookError]
) -> None:
    """Events of one name to the batch consumers, in a savepoint; if that fails, again one
    event at a time, recording in ``failed`` the events that fail alone."""
    session = events[0].session
    if len(events) > 1:
        try:
            async with session.begin_nested():
                await hooks.call_each("rapport_events_committed", events=events)
        except PluginHookError as exc:
            log.warning("event batch failed; delivering one by one", plugin=exc.plugin,
                        events=len(events))
        else:
            return
    for event in events:
        try:
            async with session.begin_nested():
                await hooks.call_each("rapport_events_committed", events=[event])
        except PluginHookError as exc:
            failed[cast(uuid.UUID, event.id)] = exc
