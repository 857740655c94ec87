"""Telling the buyer about their own order: each stage and each new delivery date is logged
as an outbound interaction on the tenant's channel — a transactional ("service") message,
so it needs no marketing opt-in but honours do-not-contact and an explicit opt-out. When
the buyer may not be contacted, the order's history says so and why."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, TenantHooks, log_interaction, may_contact
from rapport_plugins.dealership.catalogue import settings_of
from rapport_plugins.dealership.models import Order
from rapport_plugins.dealership.orders import log

KIND_OF_CHANNEL = {"email": "email", "sms": "message", "messenger": "message",
                   "phone": "call", "post": "message"}


async def tell(db: AsyncSession, principal: Principal, hooks: TenantHooks, order: Order,
               subject: str, notes: str) -> bool:
    """Log the message to the buyer if they may receive it; True when told."""
    channel = (await settings_of(db, principal)).tell_customer_by
    if channel is None:
        return False
    decision = await may_contact(db, principal, order.contact_id, channel, "service")
    if not decision.allowed:
        await log(db, principal, order, "not_told", f"Customer not told: {decision.detail}",
                  {"reason": decision.reason, "channel": channel, "subject": subject})
        return False
    await log_interaction(db, principal, {
        "contact_id": order.contact_id, "kind": KIND_OF_CHANNEL[channel], "channel": channel,
        "direction": "outbound", "subject": subject[:200], "notes": notes,
        "touchpoint": "dealership.order"}, hooks)
    await log(db, principal, order, "told", f"Customer told by {channel}: {subject}",
              {"channel": channel, "subject": subject})
    return True
