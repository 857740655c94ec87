"""Stripe's webhook: the signature checked on the raw body by the library (5 minutes of
tolerance), the event id stored in the transaction of its effect, and the effect itself
always the same — re-read the customer's subscriptions from Stripe and derive the
entitlements again — so repeats change nothing and the order of arrival does not matter."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import stripe
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.billing import accounts
from rapport.core.billing.config import BillingConfig
from rapport.core.billing.models import BillingEvent
from rapport.core.billing.stripe_api import client, unavailable
from rapport.core.notifications.service import new_notification
from rapport.db.base import new_id
from rapport.db.session import enter_tenant
from rapport.errors import RapportError, not_found
from rapport.hooks import PluginRegistry
from rapport.tenancy.models import Membership, Role

log = logging.getLogger("rapport.billing")
TOLERANCE_SECONDS = 300
# Invoice events that tell the owners to act (dunning).
DUNNING = {
    "invoice.payment_failed": "Payment failed: update the card in the billing portal",
    "invoice.payment_action_required": "Your bank asks you to confirm a payment",
}


def verify(payload: bytes, signature: str | None, config: BillingConfig) -> stripe.Event:
    if not config.enabled or not config.webhook_secret:
        raise not_found("Webhook")
    try:
        return stripe.Webhook.construct_event(payload, signature or "", config.webhook_secret,
                                              tolerance=TOLERANCE_SECONDS)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise RapportError(detail=f"Stripe-Signature: {exc}", status=400,
                           title="Invalid webhook signature") from exc


def _object(event: stripe.Event) -> dict[str, Any]:
    return event["data"]["object"].to_dict()


def _customer_of(event: stripe.Event) -> str | None:
    obj = _object(event)
    if event["type"].startswith("customer.") and obj.get("object") == "customer":
        return str(obj["id"])
    customer = obj.get("customer")
    if isinstance(customer, dict):
        customer = customer.get("id")
    return str(customer) if customer else None


async def apply(session: AsyncSession, registry: PluginRegistry, config: BillingConfig,
                event: stripe.Event) -> bool:
    """Apply ``event`` in ``session`` (no tenant yet); False when it belongs to no tenant we
    know or was applied before."""
    customer = _customer_of(event)
    tenant_id: uuid.UUID | None = None
    if customer:
        tenant_id = await session.scalar(
            text("SELECT rapport_billing_tenant_of(:customer)"), {"customer": customer})
    if tenant_id is None:
        log.warning("Stripe event %s (%s) for unknown customer %s ignored", event["id"],
                    event["type"], customer)
        return False
    await enter_tenant(session, tenant_id)
    fresh = await session.scalar(
        insert(BillingEvent)
        .values(tenant_id=tenant_id, id=new_id(), event_id=event["id"], type=event["type"])
        .on_conflict_do_nothing(index_elements=["tenant_id", "event_id"])
        .returning(BillingEvent.id))
    if fresh is None:
        return False
    account = await accounts.account_of(session, tenant_id)
    assert account is not None  # the lookup found it by its customer id
    sc = client(config)
    if event["type"] == "invoice.paid":
        await _finalise_drafts(sc, customer or "", _subscription_of(_object(event)))
    await accounts.converge(session, sc, config, registry, account)
    if event["type"] in DUNNING:
        await _notify_owners(session, tenant_id, event["type"], DUNNING[event["type"]],
                             _object(event))
    return True


def _subscription_of(invoice: dict[str, Any]) -> str | None:
    parent = (invoice.get("parent") or {}).get("subscription_details") or {}
    found = invoice.get("subscription") or parent.get("subscription")
    return str(found) if found else None


async def _finalise_drafts(sc: stripe.StripeClient, customer: str,
                           subscription: str | None) -> None:
    """A paid invoice reactivates an ``unpaid`` subscription only once the drafts Stripe left
    while it was unpaid are finalised (and so charged) too — once nothing older is open."""
    if subscription is None:
        return
    try:
        still_open = await sc.v1.invoices.list_async(params={
            "customer": customer, "subscription": subscription, "status": "open", "limit": 100})
        if still_open.data:
            return
        drafts = await sc.v1.invoices.list_async(params={
            "customer": customer, "subscription": subscription, "status": "draft", "limit": 100})
        for draft in drafts.data:
            if draft.id:
                await sc.v1.invoices.finalize_invoice_async(
                    draft.id, params={"auto_advance": True})
    except stripe.StripeError as exc:
        raise unavailable(exc) from exc


async def _notify_owners(session: AsyncSession, tenant_id: uuid.UUID, kind: str, title: str,
                         invoice: Any) -> None:
    owners = await session.scalars(select(Membership.id).where(
        Membership.tenant_id == tenant_id, Membership.role == Role.OWNER,
        Membership.accepted_at.is_not(None)))
    data = {"invoice": invoice.get("id"), "amount_due": invoice.get("amount_due"),
            "currency": invoice.get("currency"),
            "hosted_invoice_url": invoice.get("hosted_invoice_url")}
    session.add_all(new_notification(tenant_id, owner, kind.replace("invoice.", "billing."),
                                     title, data=data) for owner in owners)
    await session.flush()
