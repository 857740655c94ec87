"""Kernel area: tasks — their routes and the open tasks on the contact view."""

from __future__ import annotations

from typing import Any

from rapport.core.tasks import summary
from rapport.core.tasks.controllers import TaskController
from rapport.core.tasks.reminders import deliver_reminders
from rapport.hooks import (
    ContactSummaryQuery,
    PeriodicWork,
    PluginManifest,
    SummarySection,
    hookimpl,
)


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="tasks", title="Tasks", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [TaskController]


@hookimpl
def rapport_contact_summary(query: ContactSummaryQuery) -> SummarySection:
    return query.later(summary.open_tasks_json(),
                       summary.open_tasks_section)


@hookimpl
async def rapport_periodic_work(work: PeriodicWork) -> int:
    """Due reminders become notifications and ``task.reminder_due`` events."""
    return await deliver_reminders(work.sessions, work.registry, batch=work.batch,
                                   max_tenants=work.max_tenants)
