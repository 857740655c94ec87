"""Seats follow members: when one joins or leaves, a per-seat plan's quantity is set to the
member count at once (prorated by Stripe). A Stripe outage never blocks the membership
change: it is logged, and the next convergence sets the quantity."""

from __future__ import annotations

import logging
import uuid

import stripe
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.billing import accounts, entitlements
from rapport.core.billing.catalogue import PLANS
from rapport.core.billing.config import BillingConfig
from rapport.core.billing.stripe_api import client

log = logging.getLogger("rapport.billing")


async def follow_members(session: AsyncSession, tenant_id: uuid.UUID) -> int | None:
    """Set the seat quantity of the tenant's paying subscription; the new count, or None
    when nothing is billed per seat (or billing is off)."""
    config = BillingConfig.from_env()
    if not config.enabled:
        return None
    account = await accounts.account_of(session, tenant_id)
    if account is None or not account.subscriptions:
        return None
    by_price = {price: key for key, price in config.prices.items()}
    seats = await accounts.member_count(session, tenant_id)
    changed = None
    subscriptions = [dict(sub) for sub in account.subscriptions]
    for sub in subscriptions:
        if sub["status"] not in entitlements.GOOD + entitlements.GRACE:
            continue
        items = [dict(item) for item in sub["items"]]
        for item in items:
            plan = PLANS.get(by_price.get(item["price_id"], ""))
            if plan is None or not plan.per_seat or item["quantity"] == seats:
                continue
            try:
                await client(config).v1.subscription_items.update_async(
                    item["id"], params={"quantity": seats,
                                        "proration_behavior": "create_prorations"})
            except stripe.StripeError as exc:
                log.warning("seat count of tenant %s not sent to Stripe: %s", tenant_id, exc)
                continue
            item["quantity"] = changed = seats
        sub["items"] = items
    account.subscriptions = subscriptions
    await session.flush()
    return changed
