"""Emit a domain event: store it in the outbox and let the tenant's plugins react, all in
the caller's transaction — a rolled-back change emits nothing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Insert, insert, literal
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.events.models import OutboxEvent
from rapport.db.base import new_id
from rapport.db.bulk import insert_many
from rapport.hooks import DomainEvent, TenantHooks
from rapport.tenancy.principal import Principal


def _jsonable(payload: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if isinstance(value, uuid.UUID | datetime):
            out[key] = str(value) if isinstance(value, uuid.UUID) else value.isoformat()
        else:
            out[key] = value
    return out


async def emit(
    session: AsyncSession,
    principal: Principal | None,
    hooks: TenantHooks,
    name: str,
    record_type: str,
    record_id: uuid.UUID | None,
    payload: dict[str, Any],
    *,
    tenant_id: uuid.UUID | None = None,
    together: Sequence[Insert] = (),
) -> DomainEvent:
    """``together``: other INSERTs of the same change (its audit entry, its facts) sent
    with the outbox row as one statement (a CTE chain), before any plugin reacts."""
    tenant = tenant_id or (principal.tenant_id if principal else None)
    if tenant is None:
        raise ValueError("an event needs a tenant")
    row = OutboxEvent(
        id=new_id(),
        tenant_id=tenant,
        name=name,
        record_type=record_type,
        record_id=record_id,
        payload=_jsonable(payload),
        actor_user_id=principal.user_id if principal else None,
    )
    if together:
        await session.flush()  # what the session holds goes first, as session.add would
        # Anonymous bind parameters: the other INSERTs name theirs after their columns.
        columns = OutboxEvent.__table__.c
        stored = insert(OutboxEvent).values({
            **{key: literal(getattr(row, key), columns[key].type)
               for key in ("id", "tenant_id", "name", "record_type", "record_id", "payload",
                           "actor_user_id")},
            "attempts": literal(0, columns["attempts"].type),
        })
        ctes = [other.cte(f"written_{n}") for n, other in enumerate(together)]
        await session.execute(stored.add_cte(*ctes))
    else:
        session.add(row)
        await session.flush()
    event = DomainEvent(
        name=name,
        tenant_id=tenant,
        record_type=record_type,
        record_id=record_id,
        payload=payload,
        session=session,
        actor=principal,
        id=row.id,
        occurred_at=datetime.now(UTC),
    )
    await hooks.call_each("rapport_event", event=event)
    return event


async def emit_many(
    session: AsyncSession,
    hooks: TenantHooks,
    name: str,
    record_type: str,
    items: Sequence[tuple[uuid.UUID | None, dict[str, Any]]],
    *,
    tenant_id: uuid.UUID,
    principal: Principal | None = None,
) -> list[DomainEvent]:
    """Many events of one name at once (``(record_id, payload)`` pairs, e.g. from a batch
    of background work): one INSERT into the outbox for all of them, then the plugins react
    to each in turn, as ``emit`` would."""
    if not items:
        return []
    rows: list[dict[str, Any]] = [
        {
            "id": new_id(),
            "tenant_id": tenant_id,
            "name": name,
            "record_type": record_type,
            "record_id": record_id,
            "payload": _jsonable(payload),
            "actor_user_id": principal.user_id if principal else None,
            "attempts": 0,
        }
        for record_id, payload in items
    ]
    await insert_many(session, OutboxEvent, rows)
    now = datetime.now(UTC)
    events = [
        DomainEvent(
            name=name,
            tenant_id=tenant_id,
            record_type=record_type,
            record_id=record_id,
            payload=payload,
            session=session,
            actor=principal,
            id=row["id"],
            occurred_at=now,
        )
        for row, (record_id, payload) in zip(rows, items, strict=True)
    ]
    for event in events:
        await hooks.call_each("rapport_event", event=event)
    return events
