"""The dealership plugin's hooks: vehicle orders with deposits, the promise ledger and
incentives for salespeople (docs/dealership.md)."""

from __future__ import annotations

from rapport.sdk import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(
        name="dealership",
        title="Dealership",
        version="0.1.0",
        description="Vehicle orders with deposits, the ledger of what was promised to whom "
        "and how likely, and incentives for salespeople.",
        price_key="price_dealership",
        tags=("vertical", "automotive"),
    )
