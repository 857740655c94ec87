"""The outbox, delivered: committed events of one tenant go to its plugins'
``rapport_event_committed`` consumers, or in batches (consecutive events of one name) to
those that implement ``rapport_events_committed`` (as ``DomainEvent``s) or
``rapport_event_rows_committed`` (as rows in SQL: ``CommittedEvents``); ``rapport.worker``
runs the passes.

At least once, in order per tenant, several workers side by side (``FOR UPDATE SKIP
LOCKED``). A failing consumer leaves its event pending with the error recorded and a
growing delay before the next attempt; other events and tenants carry on.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import Row, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport import telemetry
from rapport.core.events.models import OutboxEvent
from rapport.core.events.retry import backoff
from rapport.db.session import tenant_session
from rapport.hooks import CommittedEvents, DomainEvent, PluginHookError, TenantHooks

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


# Claimed and marked delivered in one statement (a failed event is unmarked below, in the
# same transaction), answered as one row per run of consecutive events of one name: its
# ids as one array literal, text PostgreSQL builds, so a pass of thousands of events makes
# no Python object per event unless a consumer asks for ``DomainEvent``s.
_CLAIM = text("""
WITH claimed AS (
  UPDATE event_outbox SET dispatched_at = now()
  WHERE tenant_id = :tenant AND id IN (
    SELECT id FROM event_outbox
    WHERE tenant_id = :tenant AND dispatched_at IS NULL AND next_attempt_at <= now()
    ORDER BY id LIMIT :batch FOR UPDATE SKIP LOCKED)
  RETURNING id, name, created_at
), runs AS (
  SELECT id, name, created_at, row_number() OVER (ORDER BY id) AS n,
         row_number() OVER (ORDER BY id) - row_number() OVER (PARTITION BY name ORDER BY id)
           AS run
  FROM claimed
)
SELECT name, count(*)::int AS n, '{' || string_agg(id::text, ',' ORDER BY id) || '}' AS ids,
       array_agg(GREATEST(extract(epoch FROM clock_timestamp() - created_at), 0)::float8
                 ORDER BY id) AS lags
FROM runs GROUP BY run, name ORDER BY min(n)
""")
_LOAD = text("""
SELECT id, name, record_type, record_id, payload, created_at FROM event_outbox
WHERE tenant_id = :tenant AND id = ANY(CAST(:ids AS uuid[])) ORDER BY id
""")


async def deliver_tenant(
    session: AsyncSession, hooks: TenantHooks, tenant_id: uuid.UUID, batch: int
) -> int:
    """Deliver up to ``batch`` due events of one tenant in its open transaction ``session``
    to ``hooks`` (the kernel areas and the plugins that tenant enabled).

    Consecutive events of one name go together: plugins implementing
    ``rapport_event_rows_committed`` get them as one batch of rows in SQL
    (``CommittedEvents``), those implementing ``rapport_events_committed`` as one list of
    ``DomainEvent``s, the others one by one. A batch that fails is rolled back alone (a
    savepoint) and its events are delivered again one at a time, so only the event that
    fails stays pending; nothing is lost or handled twice.
    """
    runs = (await session.execute(_CLAIM, {"tenant": tenant_id, "batch": batch})).all()
    if not runs:
        return 0
    as_rows = frozenset(
        impl.plugin_name for impl in hooks.rapport_event_rows_committed.get_hookimpls()
    )
    batched = frozenset(
        impl.plugin_name for impl in hooks.rapport_events_committed.get_hookimpls()
    ) - as_rows
    singly = any(
        impl.plugin_name not in batched | as_rows
        for impl in hooks.rapport_event_committed.get_hookimpls()
    )
    loader = _Loader(session, tenant_id)
    failed: dict[str, PluginHookError] = {}
    for name, count, ids, _ in runs:
        claimed = CommittedEvents(name, tenant_id, session, ids, count, loader.load)
        if as_rows:
            await _to_row_batches(hooks, claimed, failed)
        if not batched and not singly:
            continue
        events = [e for e in await claimed.events() if str(e.id) not in failed]
        if batched and events:
            await _to_batches(hooks, events, failed, as_rows)
        for event in events:
            if not singly or str(event.id) in failed:
                continue
            try:
                # A consumer's own writes roll back alone if it fails.
                async with session.begin_nested():
                    await hooks.call_each("rapport_event_committed", skip=batched | as_rows,
                                          event=event)
            except PluginHookError as exc:
                failed[str(event.id)] = exc
    for _, _, ids, lags in runs:
        if not failed:
            for lag in lags:
                telemetry.OUTBOX_LAG.observe(lag)
            continue
        for event_id, lag in zip(ids[1:-1].split(","), lags, strict=True):
            if event_id not in failed:
                telemetry.OUTBOX_LAG.observe(lag)
    if failed:
        telemetry.JOB_FAILURES.labels("outbox").inc(len(failed))
        await _unmark(session, tenant_id, failed)
    return sum(count for _, count, _, _ in runs)


async def _unmark(session: AsyncSession, tenant_id: uuid.UUID,
                  failed: dict[str, PluginHookError]) -> None:
    """The failed events pending again, with the error, one more attempt and its delay."""
    attempts: dict[uuid.UUID, int] = {event_id: tried for event_id, tried in (
        await session.execute(select(OutboxEvent.id, OutboxEvent.attempts).where(
            OutboxEvent.tenant_id == tenant_id,
            OutboxEvent.id.in_([uuid.UUID(i) for i in failed])))).all()}
    for event_id, error in failed.items():
        tried = attempts[uuid.UUID(event_id)] + 1
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.tenant_id == tenant_id, OutboxEvent.id == uuid.UUID(event_id))
            .values(
                dispatched_at=None,
                attempts=tried,
                last_error=f"{error.plugin}: {type(error.error).__name__}: {error.error}"[:1000],
                next_attempt_at=datetime.now(UTC) + backoff(tried),
            )
            .execution_options(synchronize_session=False)
        )
        log.warning("event delivery failed", event_id=event_id, plugin=error.plugin,
                    attempts=tried)


class _Loader:
    """Claimed events as ``DomainEvent``s, read on demand (one SELECT a run) and kept for
    the pass: the batches of one that a failed batch is split into reuse them."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session, self.tenant_id = session, tenant_id
        self.known: dict[str, DomainEvent] = {}

    async def load(self, claimed: CommittedEvents) -> list[DomainEvent]:
        ids = claimed.ids[1:-1].split(",") if claimed.ids != "{}" else []
        if any(i not in self.known for i in ids):
            for row in (await self.session.execute(
                    _LOAD, {"tenant": self.tenant_id, "ids": claimed.ids})).all():
                self.known[str(row.id)] = _event(self.session, self.tenant_id, row)
        return [self.known[i] for i in ids if i in self.known]


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


async def _to_row_batches(hooks: TenantHooks, claimed: CommittedEvents,
                          failed: dict[str, PluginHookError]) -> None:
    """A run to the row consumers, in a savepoint; if that fails, again one event at a time
    (a ``CommittedEvents`` of one), recording in ``failed`` the events that fail alone."""
    session = claimed.session
    if claimed.count > 1:
        try:
            async with session.begin_nested():
                await hooks.call_each("rapport_event_rows_committed", batch=claimed)
        except PluginHookError as exc:
            log.warning("event batch failed; delivering one by one", plugin=exc.plugin,
                        events=claimed.count)
        else:
            return
    for event_id in claimed.ids[1:-1].split(","):
        one = replace(claimed, ids="{" + event_id + "}", count=1)
        try:
            async with session.begin_nested():
                await hooks.call_each("rapport_event_rows_committed", batch=one)
        except PluginHookError as exc:
            failed[event_id] = exc


async def _to_batches(
    hooks: TenantHooks, events: list[DomainEvent], failed: dict[str, PluginHookError],
    skip: frozenset[str],
) -> None:
    """Events of one name to the batch consumers (not those in ``skip``), in a savepoint;
    if that fails, again one event at a time, recording in ``failed`` the events that fail
    alone."""
    session = events[0].session
    if len(events) > 1:
        try:
            async with session.begin_nested():
                await hooks.call_each("rapport_events_committed", skip=skip, events=events)
        except PluginHookError as exc:
            log.warning("event batch failed; delivering one by one", plugin=exc.plugin,
                        events=len(events))
        else:
            return
    for event in events:
        try:
            async with session.begin_nested():
                await hooks.call_each("rapport_events_committed", skip=skip, events=[event])
        except PluginHookError as exc:
            failed[str(event.id)] = exc
