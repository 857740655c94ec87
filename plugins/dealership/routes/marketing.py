"""``/marketing/messages``: marketing messages to the dealership's customers, sent only to
those whose consent allows it (managers)."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, TenantHooks
from rapport_plugins.dealership import marketing
from rapport_plugins.dealership.models import Campaign
from rapport_plugins.dealership.schemas import (
    CampaignIn,
    CampaignList,
    CampaignOut,
    RecipientList,
    RecipientOut,
)


def campaign_out(c: Campaign) -> CampaignOut:
    return CampaignOut(c.id, c.subject, c.body, c.channel, c.audience, c.branch, c.sent,
                       c.skipped, c.sent_by, c.created_at)


class MarketingController(Controller):
    path = "/marketing/messages"

    @post("/", status_code=201)
    async def send(self, data: JSONBody[CampaignIn], principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession],
                   hooks: NamedDependency[TenantHooks]) -> CampaignOut:
        """Write to an audience (``buyers``, ``open_orders``, ``customers`` or the
        ``contacts`` named): each customer only with a marketing opt-in on the channel and
        not marked do-not-contact; the others are recorded with the reason."""
        return campaign_out(await marketing.send(db, principal, hooks, data))

    @get("/")
    async def list_(self, principal: NamedDependency[Principal],
                    db: NamedDependency[AsyncSession]) -> CampaignList:
        """Messages sent, newest first (a branch manager: their branch's)."""
        return CampaignList([campaign_out(c) for c in await marketing.campaigns(db, principal)])

    @get("/{campaign_id:uuid}")
    async def read(self, campaign_id: FromPath[uuid.UUID],
                   principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession]) -> CampaignOut:
        return campaign_out(await marketing.campaign_of(db, principal, campaign_id))

    @get("/{campaign_id:uuid}/recipients")
    async def recipients(self, campaign_id: FromPath[uuid.UUID],
                         principal: NamedDependency[Principal],
                         db: NamedDependency[AsyncSession]) -> RecipientList:
        """Each customer of the message: ``sent``, or why not (``no_consent``,
        ``opted_out``, ``do_not_contact``, ``frequency_cap``)."""
        rows = await marketing.recipients(db, principal, campaign_id)
        return RecipientList([RecipientOut(r.contact_id, r.outcome, r.detail, r.interaction_id)
                              for r in rows])
