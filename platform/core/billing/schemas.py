"""Billing shapes at the edge."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

Key = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]


class PlanOut(msgspec.Struct):
    key: str
    title: str
    members: int | None
    contacts: int | None
    storage_mb: int | None
    included_modules: list[str]
    trial_days: int
    per_seat: bool
    # False when the operator has not mapped the plan to a Stripe price.
    purchasable: bool


class LimitOut(msgspec.Struct):
    name: str
    limit: int | None
    # storage_mb: megabytes (rounded up) of stored files plus the tenant's rows' share of
    # their tables (docs/billing.md).
    used: int | None


class PriceOut(msgspec.Struct):
    # In the currency's smallest unit (cents).
    amount: int
    currency: str
    interval: str
    # "stripe": read from the operator's Stripe price; "catalogue": Rapport's default.
    source: str


class ModuleEntitlement(msgspec.Struct):
    name: str
    title: str
    price_key: str | None
    included: bool
    purchased: bool
    # Usable for writing now; a lapsed paid module keeps its data, read-only.
    available: bool
    read_only: bool
    # What the add-on costs; null in self-hosted mode and for modules that are not sold.
    price: PriceOut | None = None


class InvoiceOut(msgspec.Struct):
    amount_due: int
    currency: str
    at: datetime | None


class BillingOut(msgspec.Struct):
    enabled: bool
    plan: PlanOut
    status: str
    past_due: bool
    read_only: bool
    grace_ends_at: datetime | None
    modules: list[ModuleEntitlement]
    limits: list[LimitOut]
    next_invoice: InvoiceOut | None
    plans: list[PlanOut]
    synced_at: datetime | None


class CheckoutIn(msgspec.Struct, forbid_unknown_fields=True):
    plan: Key
    modules: list[Key] = msgspec.field(default_factory=list)


class StripeSessionOut(msgspec.Struct):
    url: str


class AddOnIn(msgspec.Struct, forbid_unknown_fields=True):
    module: Key


class AddOnOut(msgspec.Struct):
    module: str
    # "pending": added, waiting for its invoice to be paid; "active"; "ends_at_period_end".
    state: str
