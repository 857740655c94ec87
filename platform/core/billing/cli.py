"""``rapport billing status --tenant SLUG`` and ``rapport billing sync``."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import click

from rapport.core.billing import accounts
from rapport.core.billing.catalogue import ADDON_AMOUNT, PLANS, addons
from rapport.core.billing.config import PRICE_PREFIX, BillingConfig
from rapport.core.billing.standing import standing, usage
from rapport.core.billing.stripe_api import client


def _registry() -> Any:
    from rapport.hooks import load_registry
    from rapport.plugin_checks import verify_declarations
    from rapport.settings import Settings

    registry = load_registry(blocked=Settings.from_env().blocked_plugins)
    verify_declarations(registry)
    return registry


def _sessions() -> Any:
    from rapport.db.session import make_engine, make_sessionmaker
    from rapport.runtime import resolve_database
    from rapport.settings import Settings

    settings = Settings.from_env()
    settings.check()
    engine = make_engine(resolve_database(settings).app_url, pool_size=1, max_overflow=0)
    return engine, make_sessionmaker(engine)


async def _tenant_id(session: Any, slug: str) -> uuid.UUID:
    from sqlalchemy import select

    from rapport.db.session import enter_tenant
    from rapport.tenancy.models import Tenant

    tenant_id = await session.scalar(select(Tenant.id).where(Tenant.slug == slug))
    if tenant_id is None:
        raise click.ClickException(f"no tenant with slug {slug!r}")
    await enter_tenant(session, tenant_id)
    return tenant_id


async def _status(slug: str, refresh: bool) -> list[str]:
    from rapport.db.session import tenant_session

    registry = _registry()
    config = BillingConfig.from_env()
    engine, maker = _sessions()
    try:
        async with tenant_session(maker, None) as session:
            tenant_id = await _tenant_id(session, slug)
            if refresh and config.enabled:
                account = await accounts.account_of(session, tenant_id)
                if account is not None:
                    await accounts.converge(session, client(config), config, registry, account)
            now = await standing(session, tenant_id, registry, config)
            used = await usage(session, tenant_id, storage=True)
    finally:
        await engine.dispose()
    lines = [f"tenant: {slug}",
             f"billing: {'stripe' if config.enabled else 'off (self-hosted: every module free)'}",
             f"plan: {now.plan.key}", f"status: {now.status}"
             + (" (paid modules read-only)" if now.read_only else "")]
    if now.grace_ends_at:
        lines.append(f"grace ends: {now.grace_ends_at.isoformat()}")
    for name, value in used.items():
        limit = now.plan.limit(name)
        lines.append(f"{name}: {'-' if value is None else value} of "
                     f"{'unlimited' if limit is None else limit}")
    for module in sorted(now.addons):
        state = ("read-only" if now.entitled(module) and not now.writable(module)
                 else "included" if now.plan.includes(module) or not config.enabled
                 else "purchased" if module in now.purchased else "not entitled")
        lines.append(f"module {module}: {state}")
    account = now.account
    if account is not None and account.next_invoice_amount is not None:
        when = account.next_invoice_at.date() if account.next_invoice_at else "-"
        lines.append(f"next invoice: {account.next_invoice_amount / 100:.2f} "
                     f"{(account.currency or '').upper()} on {when}")
    return lines


async def sync_catalogue(config: BillingConfig, registry: Any) -> dict[str, str]:
    """Products and monthly prices for every paid plan and add-on, found by lookup key
    ``rapport_<key>`` and created when missing (idempotent). Returns key -> price id."""
    sc = client(config)
    wanted = {key: (p.title, p.amount) for key, p in PLANS.items() if p.amount}
    wanted |= {a.price_key: (a.title, ADDON_AMOUNT) for a in addons(registry).values()}
    found = await sc.v1.prices.list_async(params={
        "lookup_keys": [f"rapport_{key}" for key in wanted], "limit": 100})
    prices = {p.lookup_key[len("rapport_"):]: p.id for p in found.data if p.lookup_key}
    for key, (title, amount) in wanted.items():
        if key in prices:
            continue
        product = await sc.v1.products.create_async(
            params={"name": f"Rapport {title}", "metadata": {"rapport_key": key}},
            options={"idempotency_key": f"rapport-product-{key}"})
        price = await sc.v1.prices.create_async(params={
            "product": product.id, "unit_amount": amount, "currency": config.currency,
            "recurring": {"interval": "month"}, "lookup_key": f"rapport_{key}",
            "tax_behavior": "exclusive"}, options={"idempotency_key": f"rapport-price-{key}"})
        prices[key] = price.id
    return prices


@click.group("billing")
def billing_group() -> None:
    """Billing with Stripe (off without RAPPORT_STRIPE_SECRET_KEY)."""


@billing_group.command("status")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--refresh", is_flag=True, help="Re-read the subscriptions from Stripe first.")
def status_command(slug: str, refresh: bool) -> None:
    """Plan, status, usage against limits, modules and the next invoice of one tenant."""
    for line in asyncio.run(_status(slug, refresh)):
        click.echo(line)


@billing_group.command("sync")
def sync_command() -> None:
    """Create the missing Stripe Products and Prices for the plans and add-ons; print the
    RAPPORT_STRIPE_PRICE_* settings that map them."""
    config = BillingConfig.from_env()
    if not config.enabled:
        raise click.ClickException("billing is off: set RAPPORT_STRIPE_SECRET_KEY first")
    prices = asyncio.run(sync_catalogue(config, _registry()))
    for key, price in sorted(prices.items()):
        click.echo(f"{PRICE_PREFIX}{key.upper()}={price}")
