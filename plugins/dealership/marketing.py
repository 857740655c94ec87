"""Marketing messages: a manager writes to an audience of the dealership's customers
(buyers of delivered cars, customers with an open order, everyone who ordered, or chosen
contacts). Each customer is asked of the kernel's consent first — ``may_contact`` with the
topic ``marketing``: an opt-in on the channel is needed, and do-not-contact, an opt-out and
the frequency cap are honoured. Those who may be written to get it, addressed personally,
as an outbound interaction on their timeline; the others are recorded with the reason.
The sender is notified of the outcome. One transaction: all of it or nothing."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import (
    Contact,
    Principal,
    TenantHooks,
    audit,
    invalid,
    log_interaction,
    may_contact,
    not_found,
    notify,
    salutation,
)
from rapport_plugins.dealership.customers import KIND_OF_CHANNEL
from rapport_plugins.dealership.events import announce
from rapport_plugins.dealership.models import Campaign, CampaignRecipient, Order
from rapport_plugins.dealership.roles import require_manager
from rapport_plugins.dealership.schemas import CampaignIn
from rapport_plugins.dealership.scope import scope_of

RECORD = "dealership.campaign"
TOPIC = "marketing"
MAX_RECIPIENTS = 2000
OPEN = ("delivered", "cancelled", "unwound")


async def _audience(db: AsyncSession, principal: Principal, data: CampaignIn
                    ) -> list[Contact]:
    scope = await scope_of(db, principal)
    query = select(Contact).where(Contact.tenant_id == principal.tenant_id,
                                  Contact.deleted_at.is_(None))
    if data.audience == "contacts":
        if not data.contact_ids:
            raise invalid("contact_ids", "name the contacts to write to")
        wanted = list(dict.fromkeys(data.contact_ids))
        found = {c.id: c for c in (await db.execute(
            query.where(Contact.id.in_(wanted)))).scalars()}
        for i, cid in enumerate(wanted):
            if cid not in found:
                raise invalid(f"contact_ids[{i}]", "no such contact in this tenant")
        return [found[c] for c in wanted]
    if data.contact_ids:
        raise invalid("contact_ids", "only with the audience 'contacts'")
    orders = select(Order.contact_id).where(
        Order.tenant_id == principal.tenant_id,
        scope.where(Order.salesperson_id, Order.branch))
    if data.audience == "buyers":
        orders = orders.where(Order.state == "delivered")
    elif data.audience == "open_orders":
        orders = orders.where(Order.state.not_in(OPEN))
    rows = list((await db.execute(query.where(Contact.id.in_(orders))
                                  .order_by(Contact.id).limit(MAX_RECIPIENTS + 1))).scalars())
    if len(rows) > MAX_RECIPIENTS:
        raise invalid("audience", f"more than {MAX_RECIPIENTS} customers; choose a narrower "
                                  "audience")
    return rows


def _addressed(contact: Contact, body: str) -> str:
    """Humanised contact: the customer's own form of address (given name and patronymic
    where their language uses it), never a faceless greeting."""
    values = {"given_name": contact.given_name, "patronymic": contact.patronymic,
              "honorific": contact.honorific, "family_name": contact.family_name}
    name = contact.preferred_name or salutation(values, contact.language, "")
    return f"{name},\n\n{body}" if name else body


async def send(db: AsyncSession, principal: Principal, hooks: TenantHooks,
               data: CampaignIn) -> Campaign:
    require_manager(principal)
    principal.require_writer()
    audience = await _audience(db, principal, data)
    scope = await scope_of(db, principal)
    campaign = Campaign(tenant_id=principal.tenant_id, subject=data.subject, body=data.body,
                        channel=data.channel, audience=data.audience, branch=scope.branch,
                        sent=0, skipped=0, sent_by=principal.membership_id)
    db.add(campaign)
    await db.flush()
    for contact in audience:
        decision = await may_contact(db, principal, contact.id, data.channel, TOPIC)
        interaction_id = None
        if decision.allowed:
            interaction = await log_interaction(db, principal, {
                "contact_id": contact.id, "kind": KIND_OF_CHANNEL[data.channel],
                "channel": data.channel, "direction": "outbound", "subject": data.subject,
                "notes": _addressed(contact, data.body), "campaign": data.subject,
                "touchpoint": "dealership.marketing"}, hooks)
            interaction_id = interaction.id
            campaign.sent += 1
        else:
            campaign.skipped += 1
        db.add(CampaignRecipient(
            tenant_id=principal.tenant_id, campaign_id=campaign.id, contact_id=contact.id,
            outcome="sent" if decision.allowed else decision.reason,
            detail=None if decision.allowed else decision.detail[:300],
            interaction_id=interaction_id))
    await db.flush()
    await audit.record(db, principal, audit.CREATE, RECORD, campaign.id,
                       changes={"subject": [None, campaign.subject],
                                "sent": [None, campaign.sent],
                                "skipped": [None, campaign.skipped]})
    await notify(db, principal.tenant_id, principal.membership_id, "dealership.marketing_sent",
                 f"“{campaign.subject}”: sent to {campaign.sent}, not sent to "
                 f"{campaign.skipped} (no consent or asked not to be contacted)",
                 record_type=RECORD, record_id=campaign.id,
                 data={"sent": campaign.sent, "skipped": campaign.skipped})
    await announce(db, principal, hooks, "dealership.marketing_sent", RECORD, campaign.id,
                   {"subject": campaign.subject, "channel": campaign.channel,
                    "audience": campaign.audience, "sent": campaign.sent,
                    "skipped": campaign.skipped})
    return campaign


async def campaign_of(db: AsyncSession, principal: Principal,
                      campaign_id: uuid.UUID) -> Campaign:
    require_manager(principal)
    scope = await scope_of(db, principal)
    query = select(Campaign).where(Campaign.tenant_id == principal.tenant_id,
                                   Campaign.id == campaign_id)
    if scope.branch is not None:
        query = query.where(Campaign.branch == scope.branch)
    found = (await db.execute(query)).scalar_one_or_none()
    if found is None:
        raise not_found("Campaign")
    return found


async def campaigns(db: AsyncSession, principal: Principal) -> list[Campaign]:
    require_manager(principal)
    scope = await scope_of(db, principal)
    query = select(Campaign).where(Campaign.tenant_id == principal.tenant_id)
    if scope.branch is not None:
        query = query.where(Campaign.branch == scope.branch)
    return list((await db.execute(query.order_by(Campaign.id.desc()).limit(200))).scalars())


async def recipients(db: AsyncSession, principal: Principal,
                     campaign_id: uuid.UUID) -> list[CampaignRecipient]:
    campaign = await campaign_of(db, principal, campaign_id)
    return list((await db.execute(select(CampaignRecipient).where(
        CampaignRecipient.tenant_id == principal.tenant_id,
        CampaignRecipient.campaign_id == campaign.id)
        .order_by(CampaignRecipient.id).limit(MAX_RECIPIENTS))).scalars())
