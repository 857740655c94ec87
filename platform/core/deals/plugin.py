"""Kernel area: deals — their routes, the sales pipeline, open deals on the contact view."""

from __future__ import annotations

from typing import Any

from rapport.core.deals import summary
from rapport.core.deals.controllers import DealController, PipelineController
from rapport.core.deals.pipeline import PIPELINE
from rapport.core.workflows import Workflow
from rapport.hooks import ContactSummaryQuery, PluginManifest, SummarySection, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="deals", title="Deals", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [DealController, PipelineController]


@hookimpl
def rapport_workflows() -> list[Workflow]:
    return [PIPELINE]


@hookimpl
def rapport_contact_summary(query: ContactSummaryQuery) -> SummarySection:
    return query.later(summary.open_deals_json(),
                       summary.open_deals_section)
