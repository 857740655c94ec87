"""Kernel area: transactions (purchases and orders)."""

from __future__ import annotations

from typing import Any

from rapport.core.transactions.controllers import TransactionController
from rapport.hooks import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="transactions", title="Transactions", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [TransactionController]
