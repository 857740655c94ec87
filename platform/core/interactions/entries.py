"""Interactions as timeline entries: the kernel's own lines on a contact's timeline."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.interactions.models import Interaction
from rapport.hooks import TimelineEntry

SOURCE = "interactions"
RECORD_TYPE = "interaction"
SUMMARY_CHARS = 280


def page_statement(
    tenant_id: uuid.UUID,
    contact_id: uuid.UUID,
    *,
    upto: tuple[datetime, uuid.UUID] | None,
    before: datetime | None,
    limit: int,
) -> Select[Interaction]:
    """One walk of ``(tenant_id, contact_id, occurred_at DESC, id DESC)``.

    ``upto`` is inclusive: the caller compares the full timeline key, so an entry sharing
    ``(occurred_at, id)`` with the cursor is decided there, not lost here.
    """
    query = select(Interaction).where(
        Interaction.tenant_id == tenant_id, Interaction.contact_id == contact_id
    )
    if upto is not None:
        query = query.where(tuple_(Interaction.occurred_at, Interaction.id) <= upto)
    if before is not None:
        query = query.where(Interaction.occurred_at < before)
    return query.order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(limit)


def as_entry(i: Interaction) -> TimelineEntry:
    summary = i.outcome or (i.notes or "")[:SUMMARY_CHARS]
    return TimelineEntry(
        at=i.occurred_at,
        kind=i.kind,
        title=i.subject or i.kind.replace("_", " ").capitalize(),
        record_type=RECORD_TYPE,
        record_id=i.id,
        summary=summary,
        source=SOURCE,
        data={
            "member_id": str(i.member_id),
            "channel": i.channel,
            "direction": i.direction,
            "outcome": i.outcome,
            "deal_id": str(i.deal_id) if i.deal_id else None,
            "transaction_id": str(i.transaction_id) if i.transaction_id else None,
            "campaign": i.campaign,
            "touchpoint": i.touchpoint,
        },
    )


async def timeline_entries(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    contact_id: uuid.UUID,
    *,
    upto: tuple[datetime, uuid.UUID] | None,
    before: datetime | None,
    limit: int,
) -> list[TimelineEntry]:
    query = page_statement(tenant_id, contact_id, upto=upto, before=before, limit=limit)
    return [as_entry(i) for i in (await session.execute(query)).scalars()]
