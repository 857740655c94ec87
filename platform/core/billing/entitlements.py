"""Entitlements derived from *all* of a tenant's subscriptions as Stripe reports them now.

Every Stripe status counts: ``active`` and ``trialing`` are in good standing; ``past_due``
keeps everything for the grace period; ``unpaid`` and ``paused`` keep the data but the
paid modules are read-only at once; ``incomplete`` (never paid), ``incomplete_expired``
and ``canceled`` give nothing. The best subscription wins, so a late ``past_due`` of a
replaced subscription never suspends a tenant paying on its new one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from rapport.core.billing.catalogue import FREE, PLANS, Plan

GOOD = ("active", "trialing")
# Kept, with grace: the modules stay writable until the grace period ends.
GRACE = ("past_due",)
# Kept, read-only: retries are exhausted or the owner paused collection.
LAPSED = ("unpaid", "paused")
# Order of preference when several subscriptions disagree.
RANK = {s: i for i, s in enumerate(
    ("active", "trialing", "past_due", "unpaid", "paused", "incomplete",
     "incomplete_expired", "canceled", "none"))}
PLAN_RANK = {key: i for i, key in enumerate(PLANS)}


@dataclass(frozen=True)
class ItemView:
    id: str
    price_id: str
    quantity: int = 1
    # An add-on the owner removed: kept until the period it was paid for ends.
    ends_at: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "price_id": self.price_id, "quantity": self.quantity,
                "ends_at": self.ends_at}


@dataclass(frozen=True)
class SubscriptionView:
    """What entitlements need from one Stripe subscription."""

    id: str
    status: str
    items: tuple[ItemView, ...]
    current_period_end: int | None = None
    trial_end: int | None = None
    # Changes waiting for their invoice to be paid (``payment_behavior=pending_if_incomplete``).
    pending: bool = False

    @property
    def price_ids(self) -> tuple[str, ...]:
        return tuple(item.price_id for item in self.items)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status,
                "items": [i.as_dict() for i in self.items],
                "current_period_end": self.current_period_end, "trial_end": self.trial_end,
                "pending": self.pending}


@dataclass(frozen=True)
class Entitlements:
    plan: Plan = FREE
    status: str = "none"
    modules: frozenset[str] = field(default_factory=frozenset)

    @property
    def in_good_standing(self) -> bool:
        return self.status in GOOD or self.status == "none"


def derive(subscriptions: list[SubscriptionView], price_keys: dict[str, str],
           addon_keys: dict[str, str]) -> Entitlements:
    """``price_keys``: Stripe price id -> plan or price key; ``addon_keys``: price key ->
    module."""
    counted = [s for s in subscriptions if s.status in GOOD + GRACE + LAPSED]
    status = min((s.status for s in subscriptions), key=lambda s: RANK.get(s, 99),
                 default="none")
    plan, modules = FREE, set()
    for sub in counted:
        for price in sub.price_ids:
            key = price_keys.get(price)
            if key in PLANS and PLAN_RANK[key] > PLAN_RANK[plan.key]:
                plan = PLANS[key]
            elif key in addon_keys:
                modules.add(addon_keys[key])
    return Entitlements(plan, status, frozenset(modules))


def lapse_start(status: str, previous: datetime | None, now: datetime) -> datetime | None:
    """When good standing ended: kept from before while still lapsed, cleared when paid."""
    if status in GRACE + LAPSED:
        return previous or now
    return None


def read_only(status: str, lapsed_at: datetime | None, now: datetime, grace_days: int) -> bool:
    """Paid modules are read-only: at once for ``unpaid``/``paused``, after the grace
    period for ``past_due``."""
    if status in LAPSED:
        return True
    if status in GRACE and lapsed_at is not None:
        return now >= lapsed_at + timedelta(days=grace_days)
    return False
