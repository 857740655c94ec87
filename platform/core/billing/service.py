"""Billing actions of a tenant's owner: the status page, Checkout, the Customer Portal and
module add-ons. Each runs in the request's transaction; a Stripe failure rolls it back."""

from __future__ import annotations

from datetime import UTC, datetime

import stripe
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.billing import accounts, entitlements, schemas
from rapport.core.billing.catalogue import PLANS, Plan
from rapport.core.billing.config import BillingConfig
from rapport.core.billing.prices import Price, addon_prices
from rapport.core.billing.standing import Standing, standing, usage
from rapport.core.billing.stripe_api import billing_off, client, unavailable
from rapport.errors import conflict, forbidden, invalid, not_found
from rapport.hooks import PluginRegistry
from rapport.tenancy.models import Role
from rapport.tenancy.principal import Principal


def require_owner(principal: Principal) -> None:
    if principal.role != Role.OWNER:
        raise forbidden("Only owners can change billing")


def require_reader(principal: Principal) -> None:
    if principal.role not in (Role.OWNER, Role.ADMIN):
        raise forbidden("Only owners and admins can see billing")


def plan_out(plan: Plan, config: BillingConfig) -> schemas.PlanOut:
    return schemas.PlanOut(
        key=plan.key, title=plan.title, members=plan.members, contacts=plan.contacts,
        storage_mb=plan.storage_mb, included_modules=list(plan.modules),
        trial_days=plan.trial_days, per_seat=plan.per_seat,
        purchasable=config.price_for(plan.key) is not None)


def price_out(price: Price | None) -> schemas.PriceOut | None:
    if price is None:
        return None
    return schemas.PriceOut(price.amount, price.currency, price.interval, price.source)


async def status(session: AsyncSession, principal: Principal,
                 registry: PluginRegistry) -> schemas.BillingOut:
    require_reader(principal)
    now = await standing(session, principal.tenant_id, registry)
    used = await usage(session, principal.tenant_id, storage=True)
    account = now.account
    invoice = (schemas.InvoiceOut(account.next_invoice_amount, account.currency or "",
                                  account.next_invoice_at)
               if account is not None and account.next_invoice_amount is not None else None)
    prices = await addon_prices(now.config, list(now.addons.values()))
    modules = [
        schemas.ModuleEntitlement(
            name=info.name, title=info.manifest.title if info.manifest else info.name,
            price_key=info.manifest.price_key if info.manifest else None,
            included=now.plan.includes(info.name) or info.name not in now.addons
            or not now.config.enabled,
            purchased=info.name in now.purchased, available=now.writable(info.name),
            read_only=now.entitled(info.name) and not now.writable(info.name),
            price=price_out(prices.get(info.name)))
        for info in sorted(registry.modules(), key=lambda i: i.name)
        if info.manifest is not None and not info.manifest.builtin
    ]
    return schemas.BillingOut(
        enabled=now.config.enabled, plan=plan_out(now.plan, now.config), status=now.status,
        past_due=now.status in entitlements.GRACE + entitlements.LAPSED,
        read_only=now.read_only, grace_ends_at=now.grace_ends_at, modules=modules,
        limits=[schemas.LimitOut(name, now.plan.limit(name), used[name]) for name in used],
        next_invoice=invoice,
        plans=[plan_out(p, now.config) for p in PLANS.values()] if now.config.enabled else [],
        synced_at=account.synced_at if account else None)


def _config() -> BillingConfig:
    config = BillingConfig.from_env()
    if not config.enabled:
        raise billing_off()
    return config


def _addon_price(now: Standing, module: str, field: str) -> str:
    addon = now.addons.get(module)
    if addon is None:
        raise invalid(field, f"'{module}' is not a module sold as an add-on")
    price = now.config.price_for(addon.price_key)
    if price is None:
        raise invalid(field, f"the add-on '{module}' has no Stripe price configured "
                             f"(RAPPORT_STRIPE_PRICE_{addon.price_key.upper()})")
    return price


async def checkout(session: AsyncSession, principal: Principal, registry: PluginRegistry,
                   data: schemas.CheckoutIn, base_url: str) -> schemas.StripeSessionOut:
    """A Stripe Checkout session for ``data.plan`` (and add-ons): its URL."""
    require_owner(principal)
    config = _config()
    chosen = PLANS.get(data.plan)
    if chosen is None or chosen.key == "free":
        raise invalid("plan", f"unknown or free plan '{data.plan}'; choose one of "
                              + ", ".join(k for k in PLANS if k != "free"))
    price = config.price_for(chosen.key)
    if price is None:
        raise invalid("plan", f"the plan '{chosen.key}' has no Stripe price configured "
                              f"(RAPPORT_STRIPE_PRICE_{chosen.key.upper()})")
    sc = client(config)
    now = await standing(session, principal.tenant_id, registry, config)
    lines = [{"price": price, "quantity": await accounts.member_count(
        session, principal.tenant_id) if chosen.per_seat else 1}]
    for index, module in enumerate(dict.fromkeys(data.modules)):
        addon_price = _addon_price(now, module, f"modules[{index}]")
        if chosen.includes(module):
            raise invalid(f"modules[{index}]", f"the {chosen.title} plan includes '{module}'")
        lines.append({"price": addon_price, "quantity": 1})
    if now.plan.key == chosen.key and now.status in entitlements.GOOD:
        raise conflict(f"This organization is already on the {chosen.title} plan; use the "
                       "portal to change it", plan=chosen.key)
    account = await accounts.ensure_customer(session, sc, principal.tenant_id)
    ever_subscribed = bool(account.subscriptions)
    subscription: dict[str, object] = {"metadata": {"rapport_tenant": str(principal.tenant_id),
                                                    "rapport_plan": chosen.key}}
    if chosen.trial_days and not ever_subscribed:
        subscription["trial_period_days"] = chosen.trial_days
    back = f"{base_url.rstrip('/')}/billing"
    try:
        created = await sc.v1.checkout.sessions.create_async(params={  # type: ignore[arg-type]
            "mode": "subscription",
            "customer": account.customer_id,
            "client_reference_id": str(principal.tenant_id),
            "line_items": lines,
            "success_url": f"{back}?checkout=success&session={{CHECKOUT_SESSION_ID}}",
            "cancel_url": f"{back}?checkout=cancelled",
            # Automatic tax needs the address; business customers give their VAT id.
            "automatic_tax": {"enabled": True},
            "billing_address_collection": "required",
            "tax_id_collection": {"enabled": True},
            "customer_update": {"address": "auto", "name": "auto"},
            "subscription_data": subscription,
        })
    except stripe.StripeError as exc:
        raise unavailable(exc) from exc
    return schemas.StripeSessionOut(url=created.url or "")


async def portal(session: AsyncSession, principal: Principal,
                 base_url: str) -> schemas.StripeSessionOut:
    require_owner(principal)
    sc = client(_config())
    account = await accounts.ensure_customer(session, sc, principal.tenant_id)
    try:
        created = await sc.v1.billing_portal.sessions.create_async(params={
            "customer": account.customer_id or "",
            "return_url": f"{base_url.rstrip('/')}/billing"})
    except stripe.StripeError as exc:
        raise unavailable(exc) from exc
    return schemas.StripeSessionOut(url=created.url)


def _active(account_subs: list[dict[str, object]]) -> dict[str, object] | None:
    for sub in account_subs:
        if sub["status"] in entitlements.GOOD + entitlements.GRACE:
            return sub
    return None


async def add_addon(session: AsyncSession, principal: Principal, registry: PluginRegistry,
                    module: str) -> schemas.AddOnOut:
    """Add ``module`` to the tenant's subscription, prorated; with pending updates the item
    exists only once its invoice is paid (also after 3-D Secure), so the module is
    entitled then and not before."""
    require_owner(principal)
    config = _config()
    sc = client(config)
    if registry.get(module) is None:
        raise not_found(f"Module '{module}'")
    now = await standing(session, principal.tenant_id, registry, config)
    price = _addon_price(now, module, "module")
    if now.plan.includes(module):
        raise conflict(f"The {now.plan.title} plan already includes '{module}'", module=module)
    account = await accounts.ensure_customer(session, sc, principal.tenant_id)
    await accounts.converge(session, sc, config, registry, account)
    if module in account.modules:
        ending = _item_of(account.subscriptions, price)
        if ending and ending[1].get("ends_at"):
            await _set_ends_at(sc, str(ending[1]["id"]), "")
            await accounts.converge(session, sc, config, registry, account)
            return schemas.AddOnOut(module, "active")
        raise conflict(f"'{module}' is already part of the subscription", module=module)
    sub = _active(account.subscriptions)
    if sub is None:
        raise conflict("No active subscription: start one through checkout first",
                       module=module)
    try:
        await sc.v1.subscription_items.create_async(params={
            "subscription": str(sub["id"]), "price": price, "quantity": 1,
            "proration_behavior": "always_invoice",
            "payment_behavior": "pending_if_incomplete"})
    except stripe.CardError:
        pass  # the update stays pending; invoice.paid brings the module in
    except stripe.StripeError as exc:
        raise unavailable(exc) from exc
    await accounts.converge(session, sc, config, registry, account)
    return schemas.AddOnOut(module, "active" if module in account.modules else "pending")


def _item_of(subs: list[dict[str, object]],
             price: str) -> tuple[dict[str, object], dict[str, object]] | None:
    for sub in subs:
        if sub["status"] not in entitlements.GOOD + entitlements.GRACE:
            continue
        for item in sub["items"]:  # type: ignore[attr-defined]
            if item["price_id"] == price:
                return sub, item
    return None


async def _set_ends_at(sc: stripe.StripeClient, item_id: str, value: str) -> None:
    try:
        await sc.v1.subscription_items.update_async(
            item_id, params={"metadata": {"rapport_ends_at": value},
                             "proration_behavior": "none"})
    except stripe.StripeError as exc:
        raise unavailable(exc) from exc


async def remove_addon(session: AsyncSession, principal: Principal, registry: PluginRegistry,
                       module: str) -> schemas.AddOnOut:
    """Stop buying ``module`` at the end of the period already paid for (no refund, no new
    charge); the module's data stays."""
    require_owner(principal)
    config = _config()
    sc = client(config)
    if registry.get(module) is None:
        raise not_found(f"Module '{module}'")
    now = await standing(session, principal.tenant_id, registry, config)
    price = _addon_price(now, module, "module")
    account = await accounts.ensure_account(session, principal.tenant_id)
    await accounts.converge(session, sc, config, registry, account)
    found = _item_of(account.subscriptions, price)
    if found is None:
        raise conflict(f"'{module}' is not part of the subscription", module=module)
    sub, item = found
    ends = sub.get("current_period_end") or int(datetime.now(UTC).timestamp())
    await _set_ends_at(sc, str(item["id"]), str(ends))
    await accounts.converge(session, sc, config, registry, account)
    return schemas.AddOnOut(module, "ends_at_period_end")
