"""Template screens over ``rapport.core.communication.templates``: the list, and the
editor whose preview for a chosen contact follows the typing (htmx)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.forms import field_errors
from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.console.pickers import recent_contacts
from rapport.core.communication import templates as service
from rapport.core.communication.models import CHANNELS
from rapport.errors import RapportError, invalid
from rapport.hooks import Fragment, Screen, TenantHooks
from rapport.tenancy.principal import Principal

FIELDS = ("name", "channel", "language", "topic", "subject", "body")
TITLE, NEW = N_("Message templates"), N_("New template")
STARTER = {"channel": "email", "language": "uk", "topic": "offers",
           "subject": "{{ salutation }}, для вас знижка",
           "body": "{{ salutation }}!\n\n…\n\n{{ member.name }}\n{{ member.signature }}\n"
                   "{{ organization.name }}"}


def _values(form: Any) -> dict[str, Any]:
    values = {f: (form.get(f) or "").strip() or None for f in FIELDS}
    values["body"] = form.get("body") or ""
    if values["channel"] != "email":
        values["subject"] = None
    return values


async def _editor(db: AsyncSession, principal: Principal, values: dict[str, Any],
                  errors: dict[str, str], action: str, title: str, status: int = 200) -> Screen:
    return Screen("console/communication/template_form.html", title, {
        "values": values, "errors": errors, "action": action, "channels": CHANNELS,
        "contacts": await recent_contacts(db, principal),
    }, status=status)


@get("/templates")
async def template_list(principal: NamedDependency[Principal],
                        db: NamedDependency[AsyncSession]) -> Screen:
    page = await service.list_templates(db, principal, cursor=None, limit=200)
    return Screen("console/communication/templates.html", TITLE, {"templates": page.items})


@get("/templates/new")
async def new_template(principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession]) -> Screen:
    principal.require_writer()
    return await _editor(db, principal, {"name": "", **STARTER}, {}, "/templates/new", NEW)


@post("/templates/new", status_code=200)
async def create_template(request: Request, principal: NamedDependency[Principal],
                          db: NamedDependency[AsyncSession],
                          hooks: NamedDependency[TenantHooks]) -> Any:
    values = _values(await request.form())
    try:
        if not values["name"]:
            raise invalid("name", "Give the template a name")
        async with db.begin_nested():
            made = await service.create_template(db, principal, hooks, values)
    except RapportError as exc:
        if exc.status == 403:
            raise
        return await _editor(db, principal, values, field_errors(exc), "/templates/new", NEW,
                             status=exc.status)
    return redirect(request, f"/templates/{made.id}")


@get("/templates/{template_id:uuid}")
async def template_page(template_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                        db: NamedDependency[AsyncSession]) -> Screen:
    found = await service.get_template(db, principal, template_id)
    values = {f: getattr(found, f) for f in FIELDS}
    return await _editor(db, principal, values, {}, f"/templates/{found.id}", found.name)


@post("/templates/{template_id:uuid}", status_code=200)
async def save_template(request: Request, template_id: FromPath[uuid.UUID],
                        principal: NamedDependency[Principal],
                        db: NamedDependency[AsyncSession],
                        hooks: NamedDependency[TenantHooks]) -> Any:
    values = _values(await request.form())
    changes = {k: v for k, v in values.items() if k != "channel"}
    try:
        async with db.begin_nested():
            await service.update_template(db, principal, hooks, template_id, changes)
    except RapportError as exc:
        if exc.status in (403, 404):
            raise
        return await _editor(db, principal, values, field_errors(exc),
                             f"/templates/{template_id}", values["name"] or "", exc.status)
    return redirect(request, f"/templates/{template_id}")


@post("/templates/preview", status_code=200)
async def live_preview(request: Request, principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession],
                       hooks: NamedDependency[TenantHooks]) -> Fragment:
    """The letter as the chosen contact would read it, or what is wrong with it."""
    form = await request.form()
    values = _values(form)
    try:
        contact_id = uuid.UUID(str(form.get("contact_id") or ""))
    except ValueError:
        return Fragment("console/communication/preview.html",
                        {"error": None, "rendered": None})
    try:
        rendered = await service.preview_draft(db, principal, hooks, values, contact_id)
    except RapportError as exc:
        if exc.status in (401, 403):
            raise
        return Fragment("console/communication/preview.html",
                        {"error": exc.detail, "rendered": None})
    return Fragment("console/communication/preview.html", {"error": None, "rendered": rendered})


PAGES = [template_list, new_template, create_template, live_preview, template_page,
         save_template]
