"""Kernel area: imports and exports — the HTTP doors and ``rapport import contacts``."""

from __future__ import annotations

from typing import Any

from rapport.core.imports.cli import import_group
from rapport.core.imports.controllers import ContactExportController, ImportController
from rapport.hooks import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="imports", title="Imports and exports", version="1.0",
                          builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [ImportController, ContactExportController]


@hookimpl
def rapport_cli_commands() -> list[Any]:
    return [import_group]
