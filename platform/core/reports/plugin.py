"""Kernel area: management reports."""

from __future__ import annotations

from typing import Any

from rapport.core.reports.cli import reports_group
from rapport.core.reports.controllers import ReportsController
from rapport.hooks import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="reports", title="Reports", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [ReportsController]


@hookimpl
def rapport_cli_commands() -> list[Any]:
    return [reports_group]
