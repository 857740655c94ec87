"""Who a campaign reaches. The audience is a saved segment or a definition in the segments'
grammar; each contact of it is then put to ``decide`` — the kernel's ``may_contact``
(do-not-contact, opt-outs, missing consent, the contact's own cap), an address on the
channel, and the campaign's cap across campaigns — the same function the worker asks right
before sending, so the count with its exclusions and the sending never disagree."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from rapport.core.communication.models import CampaignMessage
from rapport.core.communication.schemas import AudienceOut, Exclusion
from rapport.core.consent import may_contact
from rapport.core.contacts.models import Contact, ContactPhone
from rapport.core.segments.models import Segment
from rapport.core.segments.service import (
    Vocabulary,
    check,
    count_where,
    draft_condition,
    segment_condition,
)
from rapport.errors import invalid
from rapport.tenancy.principal import Principal

# Beyond this many contacts the exclusions are counted on the first ones and scaled.
EXPLAIN_LIMIT = 1000
NO_ADDRESS = "no_address"
CAMPAIGN_CAP = "campaign_cap"
REASON_WORDS = {
    "do_not_contact": "marked do-not-contact",
    "opted_out": "opted out of {channel}",
    "no_consent": "no opt-in for {topic} by {channel}",
    "frequency_cap": "their own frequency cap reached",
    NO_ADDRESS: "no {channel} address",
    CAMPAIGN_CAP: "the campaign's frequency cap reached",
}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str
    detail: str
    address: str | None = None


async def audience_condition(session: AsyncSession, actor: Principal, words: Vocabulary,
                             values: dict[str, Any]) -> ColumnElement[bool]:
    """Who a campaign's audience is now — a saved segment (dynamic or its snapshot) or a
    definition — as one SQL condition over contacts; 422 naming what is wrong."""
    if values.get("segment_id"):
        segment = (await session.execute(select(Segment).where(
            Segment.tenant_id == actor.tenant_id, Segment.id == values["segment_id"],
        ))).scalar_one_or_none()
        if segment is None:
            raise invalid("segment_id", "no such segment")
        return await segment_condition(session, actor, words, segment)
    await check(session, actor, words, values["definition"])
    return await draft_condition(session, actor, words, values["definition"])


async def address_of(session: AsyncSession, tenant_id: uuid.UUID, contact_id: uuid.UUID,
                     channel: str) -> str | None:
    if channel == "email":
        return await session.scalar(select(Contact.email).where(
            Contact.tenant_id == tenant_id, Contact.id == contact_id))
    return await session.scalar(
        select(ContactPhone.number)
        .where(ContactPhone.tenant_id == tenant_id, ContactPhone.contact_id == contact_id)
        .order_by(ContactPhone.is_primary.desc(), ContactPhone.id).limit(1))


async def campaign_messages_within(session: AsyncSession, tenant_id: uuid.UUID,
                                   contact_id: uuid.UUID, days: int) -> int:
    return int(await session.scalar(
        select(func.count()).select_from(CampaignMessage).where(
            CampaignMessage.tenant_id == tenant_id, CampaignMessage.contact_id == contact_id,
            CampaignMessage.sent_at.is_not(None),
            CampaignMessage.sent_at > func.now() - func.make_interval(0, 0, 0, days),
        )) or 0)


async def decide(session: AsyncSession, actor: Principal, contact_id: uuid.UUID,
                 channel: str, topic: str, cap: tuple[int, int] | None) -> Verdict:
    """May this campaign message go to this contact now, and to which address?"""
    decision = await may_contact(session, actor, contact_id, channel, topic)
    if not decision.allowed:
        return Verdict(False, decision.reason, decision.detail)
    found = await address_of(session, actor.tenant_id, contact_id, channel)
    if not found:
        return Verdict(False, NO_ADDRESS, f"the contact has no {channel} address")
    if cap is not None:
        sent = await campaign_messages_within(session, actor.tenant_id, contact_id, cap[1])
        if sent >= cap[0]:
            return Verdict(False, CAMPAIGN_CAP, f"{sent} campaign messages in the last "
                           f"{cap[1]} days (the campaign allows {cap[0]})")
    return Verdict(True, decision.reason, decision.detail, found)


def words(reason: str, channel: str, topic: str) -> str:
    return REASON_WORDS.get(reason, reason).format(channel=channel, topic=topic)


async def explain(session: AsyncSession, actor: Principal, condition: ColumnElement[bool],
                  channel: str, topic: str, cap: tuple[int, int] | None) -> AudienceOut:
    """The audience now: how many match, how many may be reached, and why the rest not."""
    matching = await count_where(session, condition)
    ids = (await session.execute(select(Contact.id).where(condition).order_by(Contact.id)
                                 .limit(EXPLAIN_LIMIT))).scalars().all()
    reasons: Counter[str] = Counter()
    for contact_id in ids:
        verdict = await decide(session, actor, contact_id, channel, topic, cap)
        if not verdict.allowed:
            reasons[verdict.reason] += 1
    scale = matching / len(ids) if ids else 0.0
    excluded = [Exclusion(reason, round(n * scale), words(reason, channel, topic))
                for reason, n in reasons.most_common()]
    reachable = max(0, matching - sum(e.count for e in excluded))
    parts = [f"{e.count} excluded: {e.detail}" for e in excluded]
    estimate = f" (estimated from the first {EXPLAIN_LIMIT})" if matching > len(ids) else ""
    summary = "; ".join([f"{reachable} of {matching} can be reached{estimate}", *parts])
    return AudienceOut(matching, reachable, excluded, summary)
