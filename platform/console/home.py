"""Home: what the member should do next — their tasks due, their open deals, their
notifications, and the customers the team touched last."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from litestar import get
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts import records, service
from rapport.core.contacts.render import contacts_out
from rapport.core.deals import service as deals
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.service import visible_fields
from rapport.core.notifications import service as notifications
from rapport.core.tasks import service as tasks
from rapport.hooks import Screen
from rapport.tenancy.principal import Principal

SHOWN = 8


async def _open_deals(
    db: AsyncSession, principal: Principal, definitions: Mapping[str, Any]
) -> list[dict[str, Any]]:
    # Every pipeline's stages: a deal's stage is read in its own pipeline.
    shaped = await deals.pipeline_workflows(db, principal, definitions)
    labels = {key: {s.key: s.label for s in wf.states} for key, wf in shaped.items()}
    closed = {(key, s.key) for key, wf in shaped.items() for s in wf.states if s.terminal}
    page = await deals.list_deals(db, principal, stages=labels, owner="me", limit=50)
    return [
        {"deal": d, "stage": labels.get(d.pipeline, {}).get(d.stage, d.stage)}
        for d in page.items if (d.pipeline, d.stage) not in closed
    ][:SHOWN]


async def _recent(
    db: AsyncSession, principal: Principal, fields: Sequence[FieldDefinition]
) -> list[Any]:
    definitions = await visible_fields(db, principal, fields, service.ENTITY)
    page = await service.list_contacts(
        db, principal, definitions, cursor=None, limit=SHOWN, sort="-updated_at"
    )
    loaded = await records.load(db, principal.tenant_id, page.items)
    return list(await contacts_out(db, principal, definitions, loaded, None))


@get("/")
async def home(
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    workflow_definitions: NamedDependency[Mapping[str, Any]],
) -> Screen:
    now = datetime.now(UTC)
    mine = tasks.TaskFilters(assignee="me", open=True)
    due = (await tasks.list_tasks(db, principal, now, mine, limit=50)).items
    # Soonest first, tasks without a date last.
    due = sorted(due, key=lambda t: (t.due_at is None, t.due_at or now))[:SHOWN]
    notes = await notifications.list_notifications(db, principal, limit=SHOWN)
    return Screen("console/home.html", "Home", {
        "tasks": due,
        "now": now,
        "deals": await _open_deals(db, principal, workflow_definitions),
        "notifications": notes.items,
        "unread": notes.unread_count,
        "recent": await _recent(db, principal, plugin_fields),
    })


PAGES = [home]
