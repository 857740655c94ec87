"""Kernel area: the provenance of contact facts."""

from __future__ import annotations

from typing import Any

from rapport.core.facts.controllers import FactsController
from rapport.hooks import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="facts", title="Facts and their provenance", version="1.0",
                          builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [FactsController]
