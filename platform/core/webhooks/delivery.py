"""Deliveries: committed events become one delivery per matching endpoint (in the outbox
worker's transaction, so an event is queued once), and the worker POSTs them, signed,
retrying with backoff for a day. An endpoint that has failed for a day is disabled and
the tenant's owners and admins get a notification.

Each request carries::

    Content-Type: application/json
    X-Rapport-Event: contact.created
    X-Rapport-Delivery: <delivery id, the same on every retry>
    X-Rapport-Timestamp: <unix seconds of this attempt>
    X-Rapport-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.core.communication.senders import signature
from rapport.core.notifications import new_notification
from rapport.core.webhooks.endpoints import ALL_EVENTS
from rapport.core.webhooks.models import WebhookDelivery, WebhookEndpoint
from rapport.core.webhooks.targets import TargetRefused, check
from rapport.db.base import new_id
from rapport.db.session import tenant_session
from rapport.hooks import DomainEvent
from rapport.tenancy.models import MANAGER_ROLES, Membership

TIMEOUT = 10.0
LEASE = timedelta(minutes=2)
RETRY_FOR = timedelta(days=1)
DISABLE_AFTER = timedelta(days=1)
# Waits after the 1st, 2nd, … failed attempt; the last repeats until a day has passed.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
           timedelta(hours=1), timedelta(hours=3), timedelta(hours=6))
NOTIFICATION_KIND = "webhook_disabled"


def body_of(event: DomainEvent) -> str:
    return json.dumps({
        "id": str(event.id), "type": event.name, "tenant_id": str(event.tenant_id),
        "record_type": event.record_type,
        "record_id": str(event.record_id) if event.record_id else None,
        "occurred_at": event.occurred_at.isoformat() if event.occurred_at else None,
        "data": event.payload,
    }, default=str, separators=(",", ":"), sort_keys=True)


async def enqueue(events: list[DomainEvent]) -> int:
    """Queue a batch of committed events (one name, one tenant) for the tenant's active
    endpoints that want it; how many deliveries were queued."""
    events = [e for e in events if e.id is not None]
    if not events:
        return 0
    first = events[0]
    session, tenant_id = first.session, first.tenant_id
    endpoints = list((await session.execute(select(WebhookEndpoint.id).where(
        WebhookEndpoint.tenant_id == tenant_id, WebhookEndpoint.active.is_(True),
        WebhookEndpoint.events.overlap([first.name, ALL_EVENTS]),
    ))).scalars())
    if not endpoints:
        return 0
    rows = [{"tenant_id": tenant_id, "id": new_id(), "endpoint_id": endpoint,
             "event_id": e.id, "event_type": e.name, "body": body_of(e)}
            for e in events for endpoint in endpoints]
    result = await session.execute(
        insert(WebhookDelivery).values(rows)
        .on_conflict_do_nothing(index_elements=["tenant_id", "endpoint_id", "event_id"])
        .returning(WebhookDelivery.id))
    return len(result.all())


def headers(secret: str, delivery: WebhookDelivery, stamp: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Rapport-Event": delivery.event_type,
            "X-Rapport-Delivery": str(delivery.id), "X-Rapport-Timestamp": stamp,
            "X-Rapport-Signature": "v1=" + signature(secret, stamp, delivery.body.encode())}


@dataclass(frozen=True)
class Outcome:
    status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


async def post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> Outcome:
    try:
        await check(endpoint.url)
    except TargetRefused as exc:
        return Outcome(None, f"target refused: {exc}")
    stamp = str(int(time.time()))
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as client:
            answer = await client.post(endpoint.url, content=delivery.body.encode(),
                                       headers=headers(endpoint.secret, delivery, stamp))
    except httpx.HTTPError as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:500])
    if answer.is_success:
        return Outcome(answer.status_code, None)
    return Outcome(answer.status_code, f"answered {answer.status_code}: {answer.text[:200]}")


async def due_tenants(sessions: async_sessionmaker[AsyncSession], n: int) -> list[uuid.UUID]:
    async with tenant_session(sessions, None) as session:
        rows = await session.execute(text("SELECT rapport_webhook_due_tenants(:n)"), {"n": n})
        return list(rows.scalars())


async def _claim(session: AsyncSession, tenant_id: uuid.UUID, batch: int,
                 now: datetime) -> list[uuid.UUID]:
    """Lease due deliveries of active endpoints (another worker skips them meanwhile)."""
    due = (select(WebhookDelivery.id)
           .join(WebhookEndpoint, (WebhookEndpoint.tenant_id == WebhookDelivery.tenant_id)
                 & (WebhookEndpoint.id == WebhookDelivery.endpoint_id))
           .where(WebhookDelivery.tenant_id == tenant_id, WebhookDelivery.status == "pending",
                  WebhookDelivery.next_attempt_at <= now, WebhookEndpoint.active.is_(True))
           .order_by(WebhookDelivery.next_attempt_at).limit(batch)
           .with_for_update(of=WebhookDelivery, skip_locked=True))
    ids = list((await session.execute(due)).scalars())
    if ids:
        await session.execute(update(WebhookDelivery).where(
            WebhookDelivery.tenant_id == tenant_id, WebhookDelivery.id.in_(ids),
        ).values(next_attempt_at=now + LEASE))
    return ids


async def _disable(session: AsyncSession, endpoint: WebhookEndpoint, now: datetime,
                   why: str) -> None:
    endpoint.active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = why
    await session.execute(update(WebhookDelivery).where(
        WebhookDelivery.tenant_id == endpoint.tenant_id,
        WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "pending",
    ).values(status="cancelled"))
    managers = (await session.execute(select(Membership.id).where(
        Membership.tenant_id == endpoint.tenant_id,
        Membership.role.in_([str(r) for r in MANAGER_ROLES])))).scalars()
    for membership_id in managers:
        session.add(new_notification(
            endpoint.tenant_id, membership_id, NOTIFICATION_KIND,
            f"Webhook disabled after a day of failures: {endpoint.url}"[:300],
            record_type="webhook_endpoint", record_id=endpoint.id,
            data={"url": endpoint.url, "reason": why}))


def _record(delivery: WebhookDelivery, endpoint: WebhookEndpoint, outcome: Outcome,
            now: datetime) -> bool:
    """Write the attempt; whether the endpoint is to be disabled."""
    delivery.attempts = [*delivery.attempts, {"at": now.isoformat(), "status": outcome.status,
                                              "error": outcome.error}]
    if outcome.ok:
        delivery.status, delivery.delivered_at = "delivered", now
        endpoint.failing_since = None
        return False
    if endpoint.failing_since is None:
        endpoint.failing_since = now
    if now - delivery.created_at >= RETRY_FOR:
        delivery.status = "failed"
    else:
        wait = BACKOFF[min(len(delivery.attempts), len(BACKOFF)) - 1]
        delivery.next_attempt_at = now + wait
    return now - endpoint.failing_since >= DISABLE_AFTER


async def _one(sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID,
               delivery_id: uuid.UUID) -> bool:
    async with tenant_session(sessions, tenant_id) as session:
        delivery = await session.get(WebhookDelivery, (tenant_id, delivery_id))
        endpoint = await session.get(WebhookEndpoint, (tenant_id, delivery.endpoint_id)) \
            if delivery is not None else None
    if delivery is None or endpoint is None or not endpoint.active:
        return False
    outcome = await post(endpoint, delivery)
    async with tenant_session(sessions, tenant_id) as session:
        delivery = await session.get(WebhookDelivery, (tenant_id, delivery_id),
                                     with_for_update=True)
        endpoint = await session.get(WebhookEndpoint, (tenant_id, endpoint.id),
                                     with_for_update=True)
        if delivery is None or endpoint is None or delivery.status != "pending":
            return False
        at = datetime.now(UTC)
        if _record(delivery, endpoint, outcome, at) and endpoint.active:
            await _disable(session, endpoint, at, outcome.error or "failed")
    return outcome.ok


async def send_due(sessions: async_sessionmaker[AsyncSession], *, batch: int = 100,
                   max_tenants: int = 100) -> int:
    """One pass: due deliveries of up to ``max_tenants`` tenants; how many were delivered."""
    delivered = 0
    for tenant_id in await due_tenants(sessions, max_tenants):
        async with tenant_session(sessions, tenant_id) as session:
            ids: Sequence[uuid.UUID] = await _claim(session, tenant_id, batch,
                                                    datetime.now(UTC))
        for delivery_id in ids:
            delivered += await _one(sessions, tenant_id, delivery_id)
    return delivered

