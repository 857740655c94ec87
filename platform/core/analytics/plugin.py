"""Kernel area: analytics — its routes, ``rapport analytics``, the worker's recomputes and
the classes on the contact view."""

from __future__ import annotations

from typing import Any

from rapport.core.analytics import conditions, filters, jobs, summary_section
from rapport.core.analytics.cli import analytics_group
from rapport.core.analytics.controllers import AnalyticsController
from rapport.hooks import (
    ContactFilter,
    ContactSummaryQuery,
    PeriodicWork,
    PluginManifest,
    SegmentCondition,
    SummarySection,
    hookimpl,
)


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="analytics", title="Analytics", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [AnalyticsController]


@hookimpl
def rapport_cli_commands() -> list[Any]:
    return [analytics_group]


@hookimpl
async def rapport_periodic_work(work: PeriodicWork) -> int:
    """Recomputes are queued for tenants with new transactions (at most once per
    ``RAPPORT_ANALYTICS_EVERY_HOURS``); queued ones (and running ones whose runner
    stopped) are run to the end."""
    await jobs.schedule_due(work.sessions, work.max_tenants)
    return await jobs.run_due(work.sessions, work.max_tenants)


@hookimpl
def rapport_contact_summary(query: ContactSummaryQuery) -> SummarySection:
    return query.later(summary_section.classes_json(), summary_section.classes_section)


@hookimpl
def rapport_segment_conditions() -> list[SegmentCondition]:
    """``{"analytics": {"abc": ["A"], "rfm": ["at_risk"], "min_clv": 500}}``."""
    return conditions.CONDITIONS


@hookimpl
def rapport_contact_filters() -> list[ContactFilter]:
    """``analytics.abc:eq:A``, ``analytics.rfm:in:at_risk,lost``, ``analytics.clv:gte:500``."""
    return filters.FILTERS
