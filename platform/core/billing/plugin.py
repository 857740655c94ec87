"""Kernel area: billing with Stripe — its routes and ``rapport billing``."""

from __future__ import annotations

from typing import Any

from rapport.core.billing.cli import billing_group
from rapport.core.billing.controllers import BillingController
from rapport.hooks import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="billing", title="Billing", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [BillingController]


@hookimpl
def rapport_cli_commands() -> list[Any]:
    return [billing_group]
