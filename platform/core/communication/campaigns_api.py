"""HTTP doors of campaigns: CRUD of drafts, the audience with exclusions explained,
schedule, cancel, the messages, and bounces reported by providers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Literal

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.communication import campaigns, dsn, optout
from rapport.core.communication.audience import audience_condition, explain
from rapport.core.communication.models import Campaign
from rapport.core.communication.schemas import (
    AudienceOut,
    BounceIn,
    BounceOut,
    CampaignIn,
    CampaignList,
    CampaignOut,
    CampaignPatch,
    DsnIn,
    DsnOut,
    MessageList,
    MessageOut,
    ScheduleIn,
)
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.core.segments.service import Vocabulary, vocabulary
from rapport.hooks import PluginRegistry, TenantHooks
from rapport.tenancy.principal import Principal

MessageStatus = Literal["pending", "sending", "sent", "skipped", "failed", "bounced"]


async def _out(db: AsyncSession, principal: Principal, items: Sequence[Campaign]
               ) -> list[CampaignOut]:
    ids = [c.id for c in items]
    counts = await campaigns.progress(db, principal, ids)
    outcomes = await campaigns.stats(db, principal, ids)
    return [CampaignOut.of(c, await campaigns.template_of(db, principal, c), counts[c.id],
                           outcomes[c.id]) for c in items]


async def _audience(db: AsyncSession, principal: Principal, words: Vocabulary,
                    campaign: Campaign) -> AudienceOut:
    template = await campaigns.template_of(db, principal, campaign)
    condition = await audience_condition(
        db, principal, words, {"segment_id": campaign.segment_id,
                               "definition": campaign.definition})
    cap = ((campaign.cap_max, campaign.cap_days)
           if campaign.cap_max is not None and campaign.cap_days is not None else None)
    return await explain(db, principal, condition, template.channel, template.topic, cap)


class CampaignController(Controller):
    path = "/api/v1/campaigns"
    tags = ["communication"]

    @get("/")
    async def list_campaigns(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> CampaignList:
        """Newest first, each with its progress."""
        page = await campaigns.list_campaigns(db, principal, cursor=cursor, limit=limit)
        return CampaignList(await _out(db, principal, page.items), page.next_cursor)

    @post("/", status_code=201)
    async def create_campaign(
        self, data: JSONBody[CampaignIn], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        registry: NamedDependency[PluginRegistry],
    ) -> CampaignOut:
        """A draft: audience (``segment_id`` or ``definition``), template, optional
        ``send_at`` and ``frequency_cap`` across campaigns."""
        words = await vocabulary(db, principal, plugin_fields, registry)
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        campaign = await campaigns.create_campaign(db, principal, words, values)
        return (await _out(db, principal, [campaign]))[0]

    @post("/bounces", status_code=200)
    async def report_bounce(
        self, data: JSONBody[BounceIn], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession], hooks: NamedDependency[TenantHooks],
    ) -> BounceOut:
        """A provider's bounce or complaint for a sent message (its id in
        ``message_id``); hard bounces and complaints record an opt-out."""
        status, recorded = await optout.bounce(db, principal, hooks, data.message_id,
                                               data.kind, data.diagnostic)
        return BounceOut(data.message_id, status, recorded)

    @post("/bounces/dsn", status_code=200)
    async def report_dsn(
        self, data: JSONBody[DsnIn], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession], hooks: NamedDependency[TenantHooks],
    ) -> DsnOut:
        """A delivery status notification (RFC 3464) as the mail server returned it: the
        message it is about (by our headers), hard (5.x.x) or soft (4.x.x), then the same
        rules as ``/bounces``. 422 on ``dsn`` when it is no DSN, reports a delivery, or
        names none of our messages."""
        found, status, recorded = await dsn.apply(db, principal, hooks,
                                                  data.dsn.encode("utf-8", "surrogateescape"))
        return DsnOut(found.message_id, found.kind, found.status, found.action,
                      found.diagnostic, found.recipient, status, recorded)

    @get("/{campaign_id:uuid}")
    async def get_campaign(
        self, campaign_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> CampaignOut:
        campaign = await campaigns.get_campaign(db, principal, campaign_id)
        return (await _out(db, principal, [campaign]))[0]

    @patch("/{campaign_id:uuid}")
    async def update_campaign(
        self, campaign_id: FromPath[uuid.UUID], data: JSONBody[CampaignPatch],
        principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        registry: NamedDependency[PluginRegistry],
    ) -> CampaignOut:
        """Drafts only (409 otherwise); change only what is sent."""
        words = await vocabulary(db, principal, plugin_fields, registry)
        campaign = await campaigns.update_campaign(db, principal, words, campaign_id,
                                                   data.changes())
        return (await _out(db, principal, [campaign]))[0]

    @delete("/{campaign_id:uuid}", status_code=204)
    async def delete_campaign(
        self, campaign_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> None:
        """409 while it is scheduled or sending (cancel it first)."""
        await campaigns.delete_campaign(db, principal, campaign_id)

    @get("/{campaign_id:uuid}/audience")
    async def campaign_audience(
        self, campaign_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        registry: NamedDependency[PluginRegistry],
    ) -> AudienceOut:
        """Who it would reach now, and why the others not ("312 excluded: opted out of
        email"): the checks the worker makes before each message."""
        words = await vocabulary(db, principal, plugin_fields, registry)
        campaign = await campaigns.get_campaign(db, principal, campaign_id)
        return await _audience(db, principal, words, campaign)

    @post("/{campaign_id:uuid}/schedule", status_code=200)
    async def schedule_campaign(
        self, campaign_id: FromPath[uuid.UUID], data: JSONBody[ScheduleIn],
        principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        registry: NamedDependency[PluginRegistry],
    ) -> CampaignOut:
        """Hand the draft to the worker, sent in the caller's name at ``send_at`` (default:
        the campaign's, or now); 422 on ``audience`` when nobody may be reached."""
        words = await vocabulary(db, principal, plugin_fields, registry)
        campaign = await campaigns.get_campaign(db, principal, campaign_id)
        audience = await _audience(db, principal, words, campaign)
        campaign = await campaigns.schedule(db, principal, campaign_id, data.send_at,
                                            audience.reachable)
        return (await _out(db, principal, [campaign]))[0]

    @post("/{campaign_id:uuid}/cancel", status_code=200)
    async def cancel_campaign(
        self, campaign_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> CampaignOut:
        """Stop it: what was not sent yet never is."""
        campaign = await campaigns.cancel(db, principal, campaign_id)
        return (await _out(db, principal, [campaign]))[0]

    @get("/{campaign_id:uuid}/messages")
    async def campaign_messages(
        self, campaign_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        status: Annotated[MessageStatus | None, QueryParameter()] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> MessageList:
        """Each contact of the campaign: sent, skipped (and why), failed or bounced."""
        page = await campaigns.messages(db, principal, campaign_id, status=status,
                                        cursor=cursor, limit=limit)
        return MessageList([MessageOut.of(m) for m in page.items], page.next_cursor)
