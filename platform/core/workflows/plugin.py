"""Kernel area: the workflow engine's HTTP doors."""

from __future__ import annotations

from typing import Any

from rapport.core.workflows.controllers import WorkflowController
from rapport.hooks import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="workflows", title="Workflows", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [WorkflowController]
