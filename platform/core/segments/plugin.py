"""Kernel area: segments — their routes and the ``rapport segments`` commands."""

from __future__ import annotations

from typing import Any

from rapport.core.segments.cli import segments_group
from rapport.core.segments.controllers import SegmentController
from rapport.hooks import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="segments", title="Segments", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [SegmentController]


@hookimpl
def rapport_cli_commands() -> list[Any]:
    return [segments_group]
