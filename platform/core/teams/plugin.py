"""Kernel area: teams — their routes, ``rapport teams``, and the ``teams.owner_team`` filter
and segment condition."""

from __future__ import annotations

from typing import Any

from rapport.core.teams import filters
from rapport.core.teams.cli import teams_group
from rapport.core.teams.controllers import TeamController
from rapport.hooks import ContactFilter, PluginManifest, SegmentCondition, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="teams", title="Teams", version="1.0", builtin=True,
                          description="Teams of members: the members' report per team, "
                          "contacts by their owner's team.")


@hookimpl
def rapport_routes() -> list[Any]:
    return [TeamController]


@hookimpl
def rapport_cli_commands() -> list[Any]:
    return [teams_group]


@hookimpl
def rapport_contact_filters() -> list[ContactFilter]:
    """``teams.owner_team:eq:<team id>``."""
    return filters.FILTERS


@hookimpl
def rapport_segment_conditions() -> list[SegmentCondition]:
    """``{"teams.owner_team": {"team": "<id>"}}``."""
    return filters.CONDITIONS

