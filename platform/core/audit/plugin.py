"""Kernel area: the audit log's HTTP door."""

from __future__ import annotations

from typing import Any

from rapport.core.audit.controllers import AuditController
from rapport.hooks import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="audit", title="Audit log", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [AuditController]
