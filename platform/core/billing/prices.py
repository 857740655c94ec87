"""What a module add-on costs, for the marketplace and ``GET /api/v1/billing``: the amount,
currency and interval of its Stripe price when the operator mapped one, else the
catalogue's (what ``rapport billing sync`` would create)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import stripe

from rapport.core.billing.catalogue import ADDON_AMOUNT, AddOn
from rapport.core.billing.config import BillingConfig
from rapport.core.billing.stripe_api import client

log = logging.getLogger("rapport.billing")


@dataclass(frozen=True)
class Price:
    # In the currency's smallest unit (cents).
    amount: int
    currency: str
    interval: str
    # "stripe" (read from the mapped price) or "catalogue".
    source: str

    def shown(self) -> str:
        """``20.00 EUR / month``, as people read it."""
        return f"{self.amount / 100:.2f} {self.currency.upper()} / {self.interval}"


# Stripe never changes a price's amount, currency or interval (a new price is made
# instead), so what was read once stays true for the life of the process.
_READ: dict[str, Price] = {}


async def addon_prices(config: BillingConfig, wanted: list[AddOn]) -> dict[str, Price]:
    """Each add-on's price by module; empty in self-hosted mode (everything is free there,
    and Stripe is never asked)."""
    if not config.enabled:
        return {}
    found: dict[str, Price] = {}
    for addon in wanted:
        price_id = config.price_for(addon.price_key)
        found[addon.module] = (await _stripe_price(config, price_id) if price_id else None) or \
            Price(ADDON_AMOUNT, config.currency, "month", "catalogue")
    return found


async def _stripe_price(config: BillingConfig, price_id: str) -> Price | None:
    if price_id in _READ:
        return _READ[price_id]
    try:
        price = (await client(config).v1.prices.retrieve_async(price_id)).to_dict()
    except stripe.StripeError as exc:
        # The page still shows the catalogue's price rather than failing.
        log.warning("stripe price not readable", extra={"price": price_id, "error": str(exc)})
        return None
    recurring = price.get("recurring") or {}
    count = int(recurring.get("interval_count") or 1)
    interval = recurring.get("interval") or "once"
    read = Price(int(price.get("unit_amount") or 0), str(price.get("currency") or ""),
                 f"{count} {interval}s" if count > 1 else interval, "stripe")
    _READ[price_id] = read
    return read
