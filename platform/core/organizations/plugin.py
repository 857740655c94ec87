"""Kernel area: organizations and contacts' links to them."""

from __future__ import annotations

from typing import Any

from rapport.core.organizations.controllers import (
    ContactOrganizationController,
    OrganizationController,
)
from rapport.hooks import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(
        name="organizations", title="Organizations", version="1.0", builtin=True
    )


@hookimpl
def rapport_routes() -> list[Any]:
    return [OrganizationController, ContactOrganizationController]
