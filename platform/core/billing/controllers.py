"""HTTP doors of billing: the status page's data, Checkout, the Customer Portal, add-ons,
and Stripe's webhook."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.billing import service, webhooks
from rapport.core.billing.config import BillingConfig
from rapport.core.billing.schemas import (
    AddOnIn,
    AddOnOut,
    BillingOut,
    CheckoutIn,
    Key,
    StripeSessionOut,
)
from rapport.errors import ALSO_ANSWERS
from rapport.hooks import PluginRegistry
from rapport.settings import Settings
from rapport.tenancy.principal import Principal

# Stripe refused or could not be reached (rapport.core.billing.stripe_api.unavailable).
STRIPE_DOWN = 502


class WebhookOut(msgspec.Struct):
    received: bool
    # False for a repeat, or an event of a customer this installation does not know.
    applied: bool


class BillingController(Controller):
    path = "/api/v1/billing"
    tags = ["billing"]

    @get("/")
    async def billing_status(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        registry: NamedDependency[PluginRegistry],
    ) -> BillingOut:
        """Plan, modules, limits with usage, status (past-due banner data) and the next
        invoice (owners and admins)."""
        return await service.status(db, principal, registry)

    @post("/checkout", status_code=201, opt={ALSO_ANSWERS: (STRIPE_DOWN,)})
    async def start_checkout(
        self, data: JSONBody[CheckoutIn], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession], registry: NamedDependency[PluginRegistry],
        settings: NamedDependency[Settings],
    ) -> StripeSessionOut:
        """A Stripe Checkout session for a plan and add-ons: go to its URL (owners)."""
        return await service.checkout(db, principal, registry, data, settings.base_url)

    @post("/portal", status_code=201, opt={ALSO_ANSWERS: (STRIPE_DOWN,)})
    async def open_portal(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> StripeSessionOut:
        """A Customer Portal session: payment method, invoices, cancellation (owners)."""
        return await service.portal(db, principal, settings.base_url)

    @post("/addons", status_code=200, opt={ALSO_ANSWERS: (404, STRIPE_DOWN)})
    async def add_addon(
        self, data: JSONBody[AddOnIn], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession], registry: NamedDependency[PluginRegistry],
    ) -> AddOnOut:
        """Buy a module as an add-on (prorated); it is entitled once its invoice is paid."""
        return await service.add_addon(db, principal, registry, data.module)

    @delete("/addons", status_code=200, opt={ALSO_ANSWERS: (404, STRIPE_DOWN)})
    async def remove_addon(
        self, module: Annotated[Key, QueryParameter(description="The module to stop buying")],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession], registry: NamedDependency[PluginRegistry],
    ) -> AddOnOut:
        """Stop buying a module at the end of the paid period; its data is kept."""
        return await service.remove_addon(db, principal, registry, module)

    @post("/stripe/webhook", status_code=200,
          opt={"exclude_from_auth": True, ALSO_ANSWERS: (400, 404, STRIPE_DOWN)})
    async def stripe_webhook(
        self, request: Request, public_db: NamedDependency[AsyncSession],
        registry: NamedDependency[PluginRegistry],
    ) -> WebhookOut:
        """Stripe's events (signed; 400 when the signature or its timestamp is wrong)."""
        config = BillingConfig.from_env()
        event = webhooks.verify(await request.body(), request.headers.get("stripe-signature"),
                                config)
        return WebhookOut(True, await webhooks.apply(public_db, registry, config, event))
