"""Kernel area: custom field definitions (``/api/v1/fields``)."""

from __future__ import annotations

from typing import Any

from rapport.core.fields.controllers import FieldController
from rapport.hooks import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="fields", title="Custom fields", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [FieldController]
