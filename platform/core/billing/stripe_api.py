"""The Stripe client billing talks through: the real library, optionally pointed at another
API base (tests run a stateful fake on loopback; production leaves it unset)."""

from __future__ import annotations

import stripe

from rapport.core.billing.config import BillingConfig
from rapport.errors import RapportError


def client(config: BillingConfig) -> stripe.StripeClient:
    if not config.secret_key:
        raise billing_off()
    base = {"api": config.api_base} if config.api_base else None
    return stripe.StripeClient(config.secret_key, base_addresses=base,  # type: ignore[arg-type]
                               max_network_retries=1)


def billing_off() -> RapportError:
    return RapportError(
        detail="Billing is off on this installation (self-hosted mode): every module is "
        "available without a subscription", status=409, title="Billing is off")


def unavailable(exc: stripe.StripeError) -> RapportError:
    """Stripe refused or could not be reached: a 502 the client can retry, never a 500."""
    return RapportError(detail=f"Stripe: {exc.user_message or exc}", status=502,
                        title="Payment provider error")
