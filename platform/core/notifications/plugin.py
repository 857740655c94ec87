"""Kernel area: notifications — their routes."""

from __future__ import annotations

from typing import Any

from rapport.core.notifications.controllers import NotificationController
from rapport.hooks import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="notifications", title="Notifications", version="1.0",
                          builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [NotificationController]
