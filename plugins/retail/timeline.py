"""Retail on a contact's timeline (tier changes, earnings) and in the contact summary."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import ContactSummaryQuery, TimelineEntry, TimelineQuery
from rapport_plugins.retail.models import Entry, Member, Program, Tier, TierChange


async def entries(query: TimelineQuery) -> list[TimelineEntry]:
    db: AsyncSession = query.session
    member_ids = list((await db.execute(select(Member.id).where(
        Member.tenant_id == query.tenant_id, Member.contact_id == query.contact_id))).scalars())
    if not member_ids:
        return []
    changes = select(TierChange).where(TierChange.tenant_id == query.tenant_id,
                                       TierChange.member_id.in_(member_ids))
    earned = select(Entry).where(Entry.tenant_id == query.tenant_id,
                                 Entry.member_id.in_(member_ids),
                                 Entry.kind.in_(("earn", "redeem")))
    if query.before is not None:
        changes = changes.where(TierChange.created_at < query.before)
        earned = earned.where(Entry.created_at < query.before)
    found: list[TimelineEntry] = []
    for c in (await db.execute(changes.order_by(TierChange.created_at.desc())
                               .limit(query.limit))).scalars():
        found.append(TimelineEntry(
            at=c.created_at, kind="retail.tier_changed",
            title=f"Tier: {c.from_tier or '-'} -> {c.to_tier or '-'}",
            record_type="retail.member", record_id=c.member_id, summary=c.reason,
            source="retail", data={"from": c.from_tier, "to": c.to_tier}))
    for e in (await db.execute(earned.order_by(Entry.created_at.desc())
                               .limit(query.limit))).scalars():
        verb = "earned" if e.kind == "earn" else "redeemed"
        found.append(TimelineEntry(
            at=e.created_at, kind=f"retail.points_{verb}", title=f"{abs(e.points)} points {verb}",
            record_type="retail.member", record_id=e.member_id, source="retail",
            data={"points": e.points}))
    found.sort(key=lambda x: x.at, reverse=True)
    return found[:query.limit]


async def summary(query: ContactSummaryQuery) -> dict[str, Any]:
    rows = (await query.session.execute(
        select(Program.name, Member.balance, Tier.name, Member.id)
        .join(Program, (Program.tenant_id == Member.tenant_id) & (Program.id == Member.program_id))
        .outerjoin(Tier, (Tier.tenant_id == Member.tenant_id) & (Tier.id == Member.tier_id))
        .where(Member.tenant_id == query.tenant_id, Member.contact_id == query.contact_id)
        .order_by(Member.joined_at))).tuples().all()
    if not rows:
        return {}
    return {"retail_loyalty": [{"program": p, "balance": b, "tier": t, "member_id": str(m)}
                               for p, b, t, m in rows]}
