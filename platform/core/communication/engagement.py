"""What the person did with a sent message: opened it (the HTML letter's pixel loaded) or
clicked a link in it. Each is an interaction on the contact's timeline — the kind and
channel of the message itself (``email``/``email``, ``message``/``sms`` …), inbound, with
the campaign's name — recorded once per message (a second open or click adds no second
entry; clicks are counted), so the attribution report credits opens and clicks as touches.
A message whose campaign or tenant does not track carries no such links."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.core.communication import tracking
from rapport.core.communication.models import Campaign, CampaignMessage, MessageTemplate
from rapport.core.communication.optout import about, acting
from rapport.core.communication.sending import INTERACTION_KIND
from rapport.core.interactions.service import log_interaction
from rapport.db.session import tenant_session
from rapport.errors import invalid
from rapport.hooks import PluginRegistry

SENT = ("sent", "bounced")


@dataclass(frozen=True)
class Engagement:
    """``recorded``: this open or click was the message's first (a timeline entry was
    added)."""

    recorded: bool


@dataclass(frozen=True)
class Click(Engagement):
    """``url``: where the click leads (a URL of the message itself)."""

    url: str


async def _log(session: AsyncSession, registry: PluginRegistry, message: CampaignMessage,
               campaign: Campaign, template: MessageTemplate, subject: str) -> None:
    actor = await acting(session, registry, message.tenant_id, campaign)
    await log_interaction(session, actor, {
        "contact_id": message.contact_id, "kind": INTERACTION_KIND[template.channel],
        "channel": template.channel, "direction": "inbound", "subject": subject[:200],
        "campaign": campaign.name[:200],
    }, registry.for_tenant(actor.modules))


async def _locked(session: AsyncSession, found: tracking.TrackingToken
                  ) -> tuple[CampaignMessage, Campaign, MessageTemplate]:
    message, campaign, template = await about(session, found.tenant_id, found.message_id)
    await session.execute(select(CampaignMessage.id).where(
        CampaignMessage.tenant_id == found.tenant_id, CampaignMessage.id == message.id,
    ).with_for_update())
    await session.refresh(message)
    return message, campaign, template


def _title(message: CampaignMessage, campaign: Campaign) -> str:
    return message.subject or campaign.name


async def opened(sessions: async_sessionmaker[AsyncSession], registry: PluginRegistry,
                 secret_key: str, token: str) -> Engagement:
    found = tracking.verify(secret_key, token, tracking.OPEN)
    async with tenant_session(sessions, found.tenant_id) as session:
        message, campaign, template = await _locked(session, found)
        if message.status not in SENT or message.opened_at is not None:
            return Engagement(False)
        message.opened_at = func.now()
        await _log(session, registry, message, campaign, template,
                   f"Opened: {_title(message, campaign)}")
        return Engagement(True)


async def clicked(sessions: async_sessionmaker[AsyncSession], registry: PluginRegistry,
                  secret_key: str, token: str) -> Click:
    """Where the link leads — only a URL that was in the message — and the click counted;
    the first click of the message is a timeline entry (and counts as an open)."""
    found = tracking.verify(secret_key, token, tracking.CLICK)
    async with tenant_session(sessions, found.tenant_id) as session:
        message, campaign, template = await _locked(session, found)
        urls = message.links or []
        if found.index >= len(urls):
            raise invalid("token", "this message has no such link")
        url = urls[found.index]
        if message.status not in SENT:
            return Click(False, url)
        message.clicks += 1
        first = message.clicked_at is None
        if first:
            message.clicked_at = func.now()
            if message.opened_at is None:
                message.opened_at = func.now()
            await _log(session, registry, message, campaign, template,
                       f"Clicked {url}"[:200])
        return Click(first, url)
