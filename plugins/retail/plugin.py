"""The retail plugin's hooks: loyalty programs, cards, points, tiers, rewards and the
cashier's view of a customer (docs/retail.md)."""

from __future__ import annotations

from rapport.sdk import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(
        name="retail",
        title="Retail loyalty",
        version="0.1.0",
        description="Loyalty cards, points, tiers and rewards, and the cashier's personal "
        "view of the customer at the till.",
        price_key="price_retail",
        tags=("vertical", "retail"),
    )
