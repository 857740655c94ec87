"""Kernel area: sharing grants' HTTP doors (the rules themselves come from plugins)."""

from __future__ import annotations

from typing import Any

from rapport.core.sharing.controllers import SharingGrantController
from rapport.hooks import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="sharing", title="Sharing", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [SharingGrantController]
