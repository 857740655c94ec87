"""Kernel area: attribution — its route."""

from __future__ import annotations

from typing import Any

from rapport.core.attribution.api import AttributionController
from rapport.hooks import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="attribution", title="Attribution", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [AttributionController]
