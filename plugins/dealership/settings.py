"""Per-tenant dealership settings (``/api/v1/modules/dealership/settings``)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

Market = Literal["north_america", "china", "europe", "other"]
Stage = Literal["deposit_paid", "allocated", "ordered", "scheduled", "produced"]


class DealershipSettings(msgspec.Struct, forbid_unknown_fields=True):
    # Where the dealer sells: decides whether a VIN's check digit is verified.
    market: Market = "europe"
    # The factory's change cut-off: from this stage on colour and options are fixed.
    change_cutoff: Stage = "scheduled"
    # Remind the promising member (and sales managers) this many days before a promise is
    # due; again once when it passes.
    remind_days_before: Annotated[int, msgspec.Meta(ge=0, le=30)] = 2
    # How the buyer is told of their order's stages and date changes (a service message:
    # do-not-contact and opt-outs honoured); None: not told through Rapport.
    tell_customer_by: Literal["email", "sms", "phone", "post", "messenger"] | None = "email"
    currency: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")] = "EUR"
