"""Per-tenant dealership settings (``/api/v1/modules/dealership/settings``)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

# Each choice's words on the console's module settings page (message ids in this plugin's
# catalogs, listed in console/words.py).
Market = Annotated[Literal["north_america", "china", "europe", "other"], msgspec.Meta(extra={
    "labels": {"north_america": "North America", "china": "China", "europe": "Europe",
               "other": "Another market"}})]
Stage = Annotated[Literal["deposit_paid", "allocated", "ordered", "scheduled", "produced"],
                  msgspec.Meta(extra={"labels": {
                      "deposit_paid": "Deposit paid", "allocated": "Allocated",
                      "ordered": "Ordered from the factory",
                      "scheduled": "Scheduled for production", "produced": "Produced"}})]
Channel = Annotated[Literal["email", "sms", "phone", "post", "messenger"], msgspec.Meta(extra={
    "labels": {"email": "By email", "sms": "By SMS", "phone": "By phone", "post": "By post",
               "messenger": "By messenger"}})]


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
    tell_customer_by: Channel | None = "email"
    currency: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")] = "EUR"
