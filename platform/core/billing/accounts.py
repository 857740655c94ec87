"""A tenant's billing account: its Stripe customer, and convergence — entitlements derived
from every subscription the customer has, fetched from Stripe now (never from the order in
which events happened to arrive)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import stripe
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.billing import entitlements
from rapport.core.billing.catalogue import PLANS, addons
from rapport.core.billing.config import BillingConfig
from rapport.core.billing.models import BillingAccount
from rapport.core.billing.stripe_api import unavailable
from rapport.db.base import new_id
from rapport.hooks import PluginRegistry
from rapport.tenancy.models import Membership, Tenant


async def account_of(session: AsyncSession, tenant_id: uuid.UUID) -> BillingAccount | None:
    found: BillingAccount | None = await session.scalar(
        select(BillingAccount).where(BillingAccount.tenant_id == tenant_id)
    )
    return found


async def ensure_account(session: AsyncSession, tenant_id: uuid.UUID) -> BillingAccount:
    account = await account_of(session, tenant_id)
    if account is None:
        account = BillingAccount(tenant_id=tenant_id, id=new_id(), plan="free", status="none",
                                 modules=[], subscriptions=[])
        session.add(account)
        await session.flush()
    return account


async def ensure_customer(session: AsyncSession, sc: stripe.StripeClient,
                          tenant_id: uuid.UUID) -> BillingAccount:
    """The account with its Stripe customer, created on first need (the tenant id in the
    customer's metadata lets an operator find it in the dashboard)."""
    account = await ensure_account(session, tenant_id)
    if account.customer_id is None:
        tenant = await session.get(Tenant, tenant_id)
        assert tenant is not None
        try:
            customer = await sc.v1.customers.create_async(params={
                "name": tenant.name,
                "metadata": {"rapport_tenant": str(tenant_id), "rapport_slug": tenant.slug},
            }, options={"idempotency_key": f"rapport-customer-{tenant_id}"})
        except stripe.StripeError as exc:
            raise unavailable(exc) from exc
        account.customer_id = customer.id
        await session.flush()
    return account


def price_maps(config: BillingConfig, registry: PluginRegistry) -> tuple[dict[str, str],
                                                                           dict[str, str]]:
    """(Stripe price id -> plan or price key, price key -> module)."""
    by_price = {price: key for key, price in config.prices.items()}
    by_key = {addon.price_key: module for module, addon in addons(registry).items()}
    return by_price, by_key


def _view(sub: Any) -> entitlements.SubscriptionView:
    items = sub["items"]["data"]
    return entitlements.SubscriptionView(
        id=sub["id"],
        status=sub["status"],
        items=tuple(
            entitlements.ItemView(
                item["id"], item["price"]["id"], item.get("quantity") or 1,
                int(item["metadata"]["rapport_ends_at"])
                if (item.get("metadata") or {}).get("rapport_ends_at") else None)
            for item in items),
        current_period_end=max((item.get("current_period_end") or 0 for item in items),
                               default=0) or None,
        trial_end=sub.get("trial_end"),
        pending=bool(sub.get("pending_update")),
    )


async def converge(session: AsyncSession, sc: stripe.StripeClient, config: BillingConfig,
                   registry: PluginRegistry, account: BillingAccount,
                   now: datetime | None = None) -> BillingAccount:
    """Re-read all of the customer's subscriptions and the next invoice from Stripe and store
    the entitlements they give."""
    now = now or datetime.now(UTC)
    if account.customer_id is None:
        return account
    try:
        listed = await sc.v1.subscriptions.list_async(
            params={"customer": account.customer_id, "status": "all", "limit": 100})
        views = [_view(sub.to_dict()) for sub in listed.data]
        views = [await _drop_ended_items(sc, view, now) for view in views]
        by_price, by_key = price_maps(config, registry)
        await _follow_seats(session, sc, account.tenant_id, views, by_price)
    except stripe.StripeError as exc:
        raise unavailable(exc) from exc
    derived = entitlements.derive(views, by_price, by_key)
    account.plan = derived.plan.key
    account.status = derived.status
    account.modules = sorted(derived.modules)
    account.lapsed_at = entitlements.lapse_start(derived.status, account.lapsed_at, now)
    account.subscriptions = [v.as_dict() for v in views]
    account.next_invoice_amount, account.next_invoice_at, account.currency = None, None, None
    if any(v.status in entitlements.GOOD + entitlements.GRACE for v in views):
        await _next_invoice(sc, account)
    account.synced_at = now
    await session.flush()
    return account


async def _drop_ended_items(sc: stripe.StripeClient, view: entitlements.SubscriptionView,
                            now: datetime) -> entitlements.SubscriptionView:
    """Add-ons removed by the owner stay until the period they were paid for ends; then the
    item goes, without a refund or a new charge."""
    if view.status not in entitlements.GOOD + entitlements.GRACE:
        return view
    kept = []
    for item in view.items:
        if item.ends_at is not None and item.ends_at <= now.timestamp():
            await sc.v1.subscription_items.delete_async(
                item.id, params={"proration_behavior": "none"})
        else:
            kept.append(item)
    return replace(view, items=tuple(kept))


async def _follow_seats(session: AsyncSession, sc: stripe.StripeClient, tenant_id: uuid.UUID,
                        views: list[entitlements.SubscriptionView],
                        by_price: dict[str, str]) -> None:
    """A per-seat plan's quantity follows the member count (prorated both ways)."""
    seats = await member_count(session, tenant_id)
    for view in views:
        if view.status not in entitlements.GOOD + entitlements.GRACE:
            continue
        for item in view.items:
            key = by_price.get(item.price_id)
            if key in PLANS and PLANS[key].per_seat and item.quantity != seats:
                await sc.v1.subscription_items.update_async(
                    item.id, params={"quantity": seats, "proration_behavior": "create_prorations"})


async def _next_invoice(sc: stripe.StripeClient, account: BillingAccount) -> None:
    try:
        found = await sc.v1.invoices.create_preview_async(
            params={"customer": account.customer_id or ""})
    except stripe.InvalidRequestError:
        return  # nothing upcoming (e.g. a subscription cancelled at period end)
    except stripe.StripeError as exc:
        raise unavailable(exc) from exc
    preview: dict[str, Any] = found.to_dict()
    account.next_invoice_amount = preview["amount_due"]
    at = preview.get("next_payment_attempt") or preview.get("period_end")
    account.next_invoice_at = datetime.fromtimestamp(at, UTC) if at else None
    account.currency = preview.get("currency")


async def member_count(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    """Seats: every membership, pending invitations included (an invitation holds a seat)."""
    return int(await session.scalar(
        select(func.count()).select_from(Membership).where(Membership.tenant_id == tenant_id)
    ) or 0)
