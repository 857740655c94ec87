"""Kernel area: per-tenant modules."""

from __future__ import annotations

from typing import Any

from rapport.core.modules.controllers import ModuleController
from rapport.hooks import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="modules", title="Modules", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [ModuleController]
