"""Kernel area: contacts (the record, search, duplicates, merge, relationships, the facts
history of a profile)."""

from __future__ import annotations

from typing import Any

from rapport.core.contacts.actions import ContactActionsController
from rapport.core.contacts.controllers import ContactController
from rapport.core.contacts.fact_history import FactsController
from rapport.core.contacts.relationships.controllers import (
    RelatedController,
    RelationshipController,
)
from rapport.hooks import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="contacts", title="Contacts", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [
        ContactController,
        ContactActionsController,
        RelationshipController,
        RelatedController,
        FactsController,
    ]
