"""Campaign actions: CRUD of drafts, schedule and cancel, progress and the messages list.
Every lookup is scoped by the actor's tenant; writes are audited. Sending is the worker's
(``sending``); who the audience is, and who of it may be reached, is ``audience``'s."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit
from rapport.core.communication import templates
from rapport.core.communication.audience import audience_condition
from rapport.core.communication.models import Campaign, CampaignMessage, MessageTemplate
from rapport.core.communication.schemas import Progress, Stats
from rapport.core.pagination import Page, by_id, check_limit, cut, newest_first
from rapport.core.segments.service import Vocabulary
from rapport.errors import conflict, invalid, not_found
from rapport.tenancy.principal import Principal

RECORD_TYPE = "campaign"
PLAIN = ("name", "template_id", "segment_id", "definition", "send_at", "cap_max", "cap_days",
         "tracking", "in_contact_window")
EDITABLE = ("draft",)


def audited(c: Campaign) -> dict[str, Any]:
    return {f: getattr(c, f) for f in (*PLAIN, "status")}


def _values(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k != "frequency_cap"}
    if "frequency_cap" in data:
        cap = data["frequency_cap"]
        out["cap_max"] = cap.max if cap else None
        out["cap_days"] = cap.per_days if cap else None
    return out


async def get_campaign(session: AsyncSession, actor: Principal,
                       campaign_id: uuid.UUID) -> Campaign:
    found = (await session.execute(select(Campaign).where(
        Campaign.tenant_id == actor.tenant_id, Campaign.id == campaign_id,
    ))).scalar_one_or_none()
    if found is None:
        raise not_found("Campaign")
    return found


async def template_of(session: AsyncSession, actor: Principal,
                      campaign: Campaign) -> MessageTemplate:
    return await templates.get_template(session, actor, campaign.template_id)


async def progress(session: AsyncSession, actor: Principal,
                   ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Progress]:
    """Message counts per status of these campaigns, in one grouped read."""
    rows = await session.execute(
        select(CampaignMessage.campaign_id, CampaignMessage.status, func.count())
        .where(CampaignMessage.tenant_id == actor.tenant_id,
               CampaignMessage.campaign_id.in_(list(ids)))
        .group_by(CampaignMessage.campaign_id, CampaignMessage.status)
    )
    counts: dict[uuid.UUID, dict[str, int]] = {i: {} for i in ids}
    for campaign_id, status, n in rows:
        counts[campaign_id][status] = n
    return {
        i: Progress(
            total=sum(c.values()), pending=c.get("pending", 0) + c.get("sending", 0),
            sent=c.get("sent", 0), skipped=c.get("skipped", 0), failed=c.get("failed", 0),
            bounced=c.get("bounced", 0),
        )
        for i, c in counts.items()
    }


async def stats(session: AsyncSession, actor: Principal,
                ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Stats]:
    """What became of the sent messages of these campaigns, in one grouped read."""
    m = CampaignMessage
    accepted = m.status.in_(("sent", "bounced"))
    rows = await session.execute(
        select(m.campaign_id,
               func.count().filter(accepted),
               func.count().filter(m.status == "sent"),
               func.count().filter(accepted, m.opened_at.is_not(None)),
               func.count().filter(accepted, m.clicked_at.is_not(None)),
               func.coalesce(func.sum(m.clicks), 0),
               func.count().filter(m.status == "bounced"),
               func.count().filter(m.unsubscribed_at.is_not(None)))
        .where(m.tenant_id == actor.tenant_id, m.campaign_id.in_(list(ids)))
        .group_by(m.campaign_id)
    )
    found = {row[0]: Stats(*(int(v) for v in row[1:])) for row in rows}
    return {i: found.get(i, Stats(0, 0, 0, 0, 0, 0, 0)) for i in ids}


async def list_campaigns(session: AsyncSession, actor: Principal, *, cursor: str | None,
                         limit: int) -> Page[Campaign]:
    check_limit(limit)
    query = newest_first(select(Campaign).where(Campaign.tenant_id == actor.tenant_id),
                         Campaign.id, cursor, limit)
    return cut(list((await session.execute(query)).scalars()), limit, by_id)


async def _check(session: AsyncSession, actor: Principal,
                 words: Vocabulary, values: dict[str, Any]) -> None:
    if values.get("segment_id") and values.get("definition"):
        raise invalid("definition", "give a segment_id or a definition, not both")
    if not values.get("segment_id") and not values.get("definition"):
        raise invalid("segment_id", "an audience is required: a segment_id or a definition")
    found = await session.scalar(select(MessageTemplate.id).where(
        MessageTemplate.tenant_id == actor.tenant_id,
        MessageTemplate.id == values["template_id"]))
    if found is None:
        raise invalid("template_id", "no such template")
    await audience_condition(session, actor, words, values)


async def create_campaign(session: AsyncSession, actor: Principal,
                          words: Vocabulary,
                          data: dict[str, Any]) -> Campaign:
    actor.require_writer()
    values = _values(data)
    await _check(session, actor, words, values)
    campaign = Campaign(tenant_id=actor.tenant_id, created_by=actor.user_id, status="draft",
                        **{f: values.get(f) for f in PLAIN})
    session.add(campaign)
    await session.flush()
    await audit.record(session, actor, audit.CREATE, RECORD_TYPE, campaign.id,
                       audit.diff({}, audited(campaign)))
    return campaign


def _require_draft(campaign: Campaign, action: str) -> None:
    if campaign.status not in EDITABLE:
        raise conflict(f"A {campaign.status} campaign cannot be {action}; cancel it first"
                       if campaign.status == "scheduled" else
                       f"A {campaign.status} campaign cannot be {action}")


async def update_campaign(session: AsyncSession, actor: Principal,
                          words: Vocabulary, campaign_id: uuid.UUID,
                          data: dict[str, Any]) -> Campaign:
    actor.require_writer()
    campaign = await get_campaign(session, actor, campaign_id)
    _require_draft(campaign, "changed")
    changes = _values(data)
    before = audited(campaign)
    await _check(session, actor, words, {**before, **changes})
    for name, value in changes.items():
        setattr(campaign, name, value)
    await session.flush()
    await audit.record(session, actor, audit.UPDATE, RECORD_TYPE, campaign.id,
                       audit.diff(before, audited(campaign)))
    return campaign


async def delete_campaign(session: AsyncSession, actor: Principal,
                          campaign_id: uuid.UUID) -> None:
    actor.require_writer()
    campaign = await get_campaign(session, actor, campaign_id)
    if campaign.status in ("scheduled", "sending"):
        raise conflict(f"A {campaign.status} campaign cannot be deleted; cancel it first")
    before = audited(campaign)
    await session.delete(campaign)
    await session.flush()
    await audit.record(session, actor, audit.DELETE, RECORD_TYPE, campaign_id,
                       audit.diff(before, {}))


async def schedule(session: AsyncSession, actor: Principal, campaign_id: uuid.UUID,
                   send_at: datetime | None, reachable: int) -> Campaign:
    """Hand the draft to the worker, in the caller's name: at ``send_at`` (or the campaign's,
    or now). ``reachable``: the audience count after exclusions (0 is refused)."""
    actor.require_writer()
    campaign = await get_campaign(session, actor, campaign_id)
    _require_draft(campaign, "scheduled")
    if reachable == 0:
        raise invalid("audience", "nobody in the audience may be contacted on this channel "
                      "and topic now (see GET /audience for why)")
    before = audited(campaign)
    campaign.send_at = send_at or campaign.send_at or datetime.now(UTC)
    campaign.status = "scheduled"
    campaign.sender_id = actor.membership_id
    campaign.error = None
    await session.flush()
    await audit.record(session, actor, "schedule", RECORD_TYPE, campaign.id,
                       audit.diff(before, audited(campaign)))
    return campaign


async def cancel(session: AsyncSession, actor: Principal, campaign_id: uuid.UUID) -> Campaign:
    """Stop a scheduled or sending campaign: messages not yet sent stay unsent (skipped,
    ``cancelled``); what was sent stays on the contacts' timelines."""
    actor.require_writer()
    campaign = (await session.execute(select(Campaign).where(
        Campaign.tenant_id == actor.tenant_id, Campaign.id == campaign_id,
    ).with_for_update())).scalar_one_or_none()
    if campaign is None:
        raise not_found("Campaign")
    if campaign.status not in ("scheduled", "sending"):
        raise conflict(f"Only a scheduled or sending campaign can be cancelled; this one is "
                       f"{campaign.status}")
    before = audited(campaign)
    campaign.status = "cancelled"
    campaign.finished_at = datetime.now(UTC)
    await session.execute(
        update(CampaignMessage)
        .where(CampaignMessage.tenant_id == actor.tenant_id,
               CampaignMessage.campaign_id == campaign_id,
               CampaignMessage.status == "pending")
        .values(status="skipped", reason="cancelled", detail="the campaign was cancelled")
    )
    await session.flush()
    await audit.record(session, actor, "cancel", RECORD_TYPE, campaign.id,
                       audit.diff(before, audited(campaign)))
    return campaign


async def messages(session: AsyncSession, actor: Principal, campaign_id: uuid.UUID, *,
                   status: str | None, cursor: str | None,
                   limit: int) -> Page[CampaignMessage]:
    check_limit(limit)
    await get_campaign(session, actor, campaign_id)
    query = select(CampaignMessage).where(CampaignMessage.tenant_id == actor.tenant_id,
                                          CampaignMessage.campaign_id == campaign_id)
    if status is not None:
        query = query.where(CampaignMessage.status == status)
    query = newest_first(query, CampaignMessage.id, cursor, limit)
    return cut(list((await session.execute(query)).scalars()), limit, by_id)
