"""The forms that create and edit tasks, checked by the API's own ``TaskIn`` /
``TaskPatch``. Due times are entered and shown in the member's time zone (preferences)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.chrome import chrome_of
from rapport.console.forms import field_errors, parse
from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.console.pickers import filled, member_names, patch, recent_contacts
from rapport.core.tasks import service as tasks
from rapport.core.tasks.schemas import TaskIn, TaskPatch
from rapport.errors import RapportError
from rapport.hooks import Screen, TenantHooks
from rapport.tenancy.principal import Principal

FIELDS = ("title", "notes", "due_at", "assignee_id", "contact_id", "deal_id")
_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")
# Page titles (marked for the catalogs, translated when shown).
NEW, EDIT = N_("New task"), N_("Edit task")


def _zone(request: Request | None) -> ZoneInfo:
    return chrome_of(request).lang.tz if request is not None else ZoneInfo("UTC")


def _utc(values: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    """A ``datetime-local`` input has no offset: it is the member's time zone's wall time."""
    due = values.get("due_at")
    if isinstance(due, str) and _LOCAL.match(due):
        values["due_at"] = datetime.fromisoformat(due).replace(tzinfo=zone).isoformat()
    return values


def _shown(values: Mapping[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    out = dict(values)
    due = out.get("due_at")
    if isinstance(due, datetime):
        local = due.astimezone(zone) if due.tzinfo else due
        out["due_at"] = local.strftime("%Y-%m-%dT%H:%M")
    elif isinstance(due, str):
        out["due_at"] = due[:16]
    return out


async def _form(
    db: AsyncSession, principal: Principal, title: str, values: Mapping[str, Any],
    errors: Mapping[str, str], action: str, *, editing: bool = False, status: int = 200,
    request: Request | None = None,
) -> Screen:
    contact = values.get("contact_id")
    chosen = uuid.UUID(str(contact)) if contact and _is_uuid(contact) else None
    return Screen("console/tasks/form.html", title, {
        "values": _shown(values, _zone(request)), "errors": errors, "action": action,
        "editing": editing,
        "contacts": await recent_contacts(db, principal, chosen),
        "members": sorted((await member_names(db, principal)).items(), key=lambda m: m[1]),
    }, status=status)


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@get("/tasks/new")
async def new_task(
    request: Request,
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    contact_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
    deal_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
) -> Screen:
    principal.require_writer()
    values = {"contact_id": contact_id, "deal_id": deal_id,
              "assignee_id": principal.membership_id}
    return await _form(db, principal, NEW, values, {}, "/tasks/new", request=request)


@post("/tasks/new", status_code=200)
async def create_task(
    request: Request,
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    hooks: NamedDependency[TenantHooks],
) -> Any:
    form = await request.form()
    values = filled(form, FIELDS, required="title")
    try:
        data = parse(_utc(dict(values), _zone(request)), TaskIn)
        async with db.begin_nested():
            await tasks.create_task(db, principal, data.values(), hooks)
    except RapportError as exc:
        if exc.status == 403:
            raise
        return await _form(db, principal, NEW, values, field_errors(exc), "/tasks/new",
                           status=exc.status, request=request)
    return redirect(request, "/tasks")


@get("/tasks/{task_id:uuid}/edit")
async def edit_task(
    request: Request,
    task_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
) -> Screen:
    principal.require_writer()
    task = await tasks.get_task(db, principal, task_id)
    values = {name: getattr(task, name) for name in FIELDS}
    values["done"] = task.done_at is not None
    return await _form(db, principal, EDIT, values, {}, f"/tasks/{task.id}/edit",
                       editing=True, request=request)


@post("/tasks/{task_id:uuid}/edit", status_code=200)
async def update_task(
    request: Request,
    task_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    hooks: NamedDependency[TenantHooks],
) -> Any:
    form = await request.form()
    values = patch(form, FIELDS)
    values["done"] = form.get("done") == "true"
    try:
        changes = parse(_utc(dict(values), _zone(request)), TaskPatch).changes()
        async with db.begin_nested():
            await tasks.update_task(db, principal, task_id, changes, hooks)
    except RapportError as exc:
        if exc.status in (403, 404):
            raise
        return await _form(db, principal, EDIT, values, field_errors(exc),
                           f"/tasks/{task_id}/edit", editing=True, status=exc.status,
                           request=request)
    return redirect(request, "/tasks")
