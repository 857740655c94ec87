"""Kernel area: interactions, the contact's timeline, and the contact view's "who worked with
this person" section."""

from __future__ import annotations

from typing import Any

import msgspec

from rapport.core.interactions.colleagues import colleagues_json, colleagues_of
from rapport.core.interactions.controllers import ColleaguesController, InteractionController
from rapport.core.interactions.timeline import TimelineController
from rapport.hooks import ContactSummaryQuery, PluginManifest, SummarySection, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="interactions", title="Interactions", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [InteractionController, ColleaguesController, TimelineController]


@hookimpl
def rapport_contact_summary(query: ContactSummaryQuery) -> SummarySection:
    """``{"last_interactions": [{member_id, member_name, kind, subject, occurred_at}],
    "interaction_count": n}`` — plain JSON-ready values, merged into the view's ``activity``."""
    return query.later(
        colleagues_json(),
        lambda value: msgspec.to_builtins(colleagues_of(value)),
    )
