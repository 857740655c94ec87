"""What comes back from a sent message and updates consent: a one-click unsubscribe
(RFC 8058: the mail client POSTs to the signed link; a person may open it too) and a
bounce or complaint reported by the mail provider or gateway."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.core.communication import links
from rapport.core.communication.models import Campaign, CampaignMessage, MessageTemplate
from rapport.core.consent.service import latest_status, record_consent
from rapport.core.modules import acting_member
from rapport.db.session import tenant_session
from rapport.errors import RapportError, conflict, invalid, not_found
from rapport.hooks import PluginRegistry, TenantHooks
from rapport.tenancy.models import Membership, Role, Tenant, User
from rapport.tenancy.principal import Principal


@dataclass(frozen=True)
class Unsubscribed:
    channel: str
    topic: str
    organization: str
    already: bool


async def about(session: AsyncSession, tenant_id: uuid.UUID, message_id: uuid.UUID
                 ) -> tuple[CampaignMessage, Campaign, MessageTemplate]:
    row = (await session.execute(
        select(CampaignMessage, Campaign, MessageTemplate)
        .join(Campaign, (Campaign.tenant_id == CampaignMessage.tenant_id)
              & (Campaign.id == CampaignMessage.campaign_id))
        .join(MessageTemplate, (MessageTemplate.tenant_id == Campaign.tenant_id)
              & (MessageTemplate.id == Campaign.template_id))
        .where(CampaignMessage.tenant_id == tenant_id, CampaignMessage.id == message_id)
    )).first()
    if row is None:
        raise not_found("Message")
    return row[0], row[1], row[2]


async def acting(session: AsyncSession, registry: PluginRegistry, tenant_id: uuid.UUID,
                  campaign: Campaign) -> Principal:
    """Who records the person's word: the member the campaign was sent in the name of, or
    (gone) the tenant's first owner. The source says it was the person's own click."""
    query = (select(Membership, User, Tenant).join(User, User.id == Membership.user_id)
             .join(Tenant, Tenant.id == Membership.tenant_id)
             .where(Membership.tenant_id == tenant_id))
    row = None
    if campaign.sender_id is not None:
        row = (await session.execute(query.where(Membership.id == campaign.sender_id))).first()
    if row is None:
        row = (await session.execute(query.where(Membership.role == Role.OWNER)
                                     .order_by(Membership.id).limit(1))).one()
    return await acting_member(session, registry, row[2], row[0], row[1])


async def unsubscribe(sessions: async_sessionmaker[AsyncSession], registry: PluginRegistry,
                      secret_key: str, token: str, *, apply: bool) -> Unsubscribed:
    """Check the link; with ``apply`` record the opt-out for the message's channel and
    topic (once: a second click changes nothing)."""
    found = links.verify(secret_key, token)
    async with tenant_session(sessions, found.tenant_id) as session:
        message, campaign, template = await about(session, found.tenant_id, found.message_id)
        actor = await acting(session, registry, found.tenant_id, campaign)
        status = await latest_status(session, actor, message.contact_id, template.channel,
                                     template.topic)
        already = status == "opt_out"
        if apply and message.unsubscribed_at is None:
            message.unsubscribed_at = func.now()
        if apply and not already:
            hooks = registry.for_tenant(actor.modules)
            await record_consent(session, actor, message.contact_id, {
                "channel": template.channel, "topic": template.topic, "status": "opt_out",
                "source": f"one-click unsubscribe link (campaign {campaign.name})"[:200],
            }, hooks)
        return Unsubscribed(template.channel, template.topic, actor.tenant_name, already)


async def bounce(session: AsyncSession, actor: Principal, hooks: TenantHooks,
                 message_id: uuid.UUID, kind: str, diagnostic: str,
                 field: str = "message_id") -> tuple[str, bool]:
    """Mark a sent message bounced; a hard bounce or a complaint is the person's (or the
    address's) last word on that channel and topic: an opt-out is recorded. An unknown
    message is a 422 on ``field``."""
    actor.require_writer()
    try:
        message, campaign, template = await about(session, actor.tenant_id, message_id)
    except RapportError as exc:
        if exc.status != 404:
            raise
        raise invalid(field, "no such campaign message") from None
    if message.status not in ("sent", "bounced"):
        raise conflict(f"Only a sent message can bounce; this one is {message.status}")
    message.status = "bounced"
    message.reason = kind
    message.detail = diagnostic or None
    recorded = False
    if kind in ("hard", "complaint"):
        status = await latest_status(session, actor, message.contact_id, template.channel,
                                     template.topic)
        if status != "opt_out":
            words = "complaint" if kind == "complaint" else "hard bounce"
            await record_consent(session, actor, message.contact_id, {
                "channel": template.channel, "topic": template.topic, "status": "opt_out",
                "source": f"{words} (campaign {campaign.name})"[:200],
                "note": diagnostic or None,
            }, hooks)
            recorded = True
    await session.flush()
    return message.status, recorded
