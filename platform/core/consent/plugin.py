"""Kernel area: consent and contact policies."""

from __future__ import annotations

from typing import Any

from rapport.core.consent.controllers import ConsentController
from rapport.hooks import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="consent", title="Consent", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [ConsentController]
