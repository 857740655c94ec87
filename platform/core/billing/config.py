"""Billing's settings, read from ``RAPPORT_STRIPE_*`` and ``RAPPORT_BILLING_*`` variables.

No ``RAPPORT_STRIPE_SECRET_KEY`` means self-hosted mode: billing is off and every installed
module is available (the default for ``make run``). Read on each use, so an operator's
change reaches the next request without a restart of the billing area alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from rapport.settings import SettingsError

PRICE_PREFIX = "RAPPORT_STRIPE_PRICE_"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class BillingConfig:
    secret_key: str | None = None
    webhook_secret: str | None = None
    # Tests point the real library at a fake on loopback; production leaves it unset.
    api_base: str | None = None
    # Plan and price keys -> Stripe price ids: RAPPORT_STRIPE_PRICE_TEAM=price_123,
    # RAPPORT_STRIPE_PRICE_PRICE_MEDICAL=price_456 (the key upper-cased).
    prices: dict[str, str] = field(default_factory=dict)
    grace_days: int = 7
    currency: str = "eur"

    @property
    def enabled(self) -> bool:
        return bool(self.secret_key)

    def price_for(self, key: str) -> str | None:
        return self.prices.get(key)

    @classmethod
    def from_env(cls) -> BillingConfig:
        prices = {
            name[len(PRICE_PREFIX):].lower(): value
            for name, value in os.environ.items()
            if name.startswith(PRICE_PREFIX) and value
        }
        return cls(
            secret_key=os.environ.get("RAPPORT_STRIPE_SECRET_KEY") or None,
            webhook_secret=os.environ.get("RAPPORT_STRIPE_WEBHOOK_SECRET") or None,
            api_base=os.environ.get("RAPPORT_STRIPE_API_BASE") or None,
            prices=prices,
            grace_days=_int("RAPPORT_BILLING_GRACE_DAYS", 7),
            currency=os.environ.get("RAPPORT_BILLING_CURRENCY", "eur").lower(),
        )
