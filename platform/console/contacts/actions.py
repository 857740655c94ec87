"""What the contact list does besides showing: saved views (save, delete), bulk actions on
the selected rows (add a tag, assign an owner, export as CSV) and editing one cell in place.
Every write goes through the contact service the API uses (``update_contact`` with the
API's ``ContactPatch`` checks), so viewers are refused and other tenants' ids are 404s."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.contacts import columns as cols
from rapport.console.contacts import views
from rapport.console.forms import field_errors
from rapport.console.guards import redirect
from rapport.core import audit
from rapport.core.contacts import service, windows
from rapport.core.contacts.controllers import write_options
from rapport.core.contacts.render import contacts_out
from rapport.core.contacts.schemas import ContactPatch
from rapport.core.fields.definitions import FieldDefinition, FieldType
from rapport.core.fields.service import visible_fields
from rapport.core.imports import export
from rapport.core.imports.columns import export_columns, importable_fields
from rapport.core.imports.controllers import EXPORT
from rapport.db.base import new_id
from rapport.errors import FieldError, RapportError, invalid_many
from rapport.hooks import Fragment, TenantHooks
from rapport.tenancy.principal import Principal

MAX_SELECTED = 500


def _back(form: Any, **done: Any) -> str:
    back = str(form.get("back", ""))[:4000]
    extra = urlencode({k: v for k, v in done.items() if v is not None})
    query = "&".join(part for part in (back, extra) if part)
    return "/contacts" + (f"?{query}" if query else "")


@post("/contacts/views", status_code=303)
async def save_view(
    request: Request,
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
) -> Response[str]:
    form = await request.form()
    view = await views.save_view(db, principal, views.ViewIn(
        name=str(form.get("name", "")),
        filters=[str(f) for f in form.getall("filter", [])][:50],
        columns=[str(c) for c in form.getall("col", [])][:50],
        sort=str(form.get("sort", "")) or None,
        q=str(form.get("q", ""))[:200] or None,
        shared=form.get("shared") == "true",
    ))
    return redirect(request, f"/contacts?{urlencode({'view': view.id, 'done': 'saved'})}")


@post("/contacts/views/{view_id:uuid}/delete", status_code=303)
async def delete_view(
    request: Request,
    view_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
) -> Response[str]:
    await views.delete_view(db, principal, view_id)
    return redirect(request, "/contacts?done=deleted")


def _ids(form: Any) -> list[uuid.UUID]:
    found = []
    for raw in form.getall("id", [])[:MAX_SELECTED]:
        try:
            found.append(uuid.UUID(str(raw)))
        except ValueError as exc:
            raise invalid_many([FieldError("id", "must be a contact id")]) from exc
    return list(dict.fromkeys(found))


def _patch(body: dict[str, Any]) -> dict[str, Any]:
    """The API's own reading of a PATCH body (its types, lengths and rules)."""
    try:
        return msgspec.convert(body, ContactPatch, strict=False).changes()
    except msgspec.ValidationError as exc:
        field = next(iter(body), "value")
        raise invalid_many([FieldError(field, str(exc).split(" - at ")[0])]) from exc


@post("/contacts/bulk", status_code=303)
async def bulk(
    request: Request,
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    hooks: NamedDependency[TenantHooks],
) -> Response[Any]:
    """``action=tag`` (with ``tag``), ``owner`` (with ``owner_id``, empty: no owner) or
    ``export`` on the posted ``id``s; each id is read through the service (another
    tenant's is a 404, and nothing is written)."""
    principal.require_writer()
    form = await request.form()
    action = str(form.get("action", ""))
    ids = _ids(form)
    if not ids:
        return redirect(request, _back(form, done="none"))
    definitions = await visible_fields(db, principal, plugin_fields, service.ENTITY)
    found = [await service.get_record(db, principal, i) for i in ids]  # 404 outside
    if action == "export":
        return _export(await _exported(db, principal, definitions, found))
    if action == "tag":
        tag = str(form.get("tag", "")).strip()
        if not tag:
            raise invalid_many([FieldError("tag", "must not be empty")])
        for record in found:
            if tag.lower() in record.tags:
                continue
            changes = _patch({"tags": [*record.tags, tag]})
            await service.update_contact(db, principal, record.id, changes, definitions,
                                         hooks, write_options(None, None))
        return redirect(request, _back(form, done="tagged", n=len(found), tag=tag))
    if action == "owner":
        owner = str(form.get("owner_id", "")).strip() or None
        changes = _patch({"owner_id": owner})
        for record in found:
            await service.update_contact(db, principal, record.id, changes, definitions,
                                         hooks, write_options(None, None))
        return redirect(request, _back(form, done="assigned", n=len(found)))
    raise invalid_many([FieldError("action", "must be tag, owner or export")])


async def _exported(
    db: AsyncSession, principal: Principal, definitions: Sequence[FieldDefinition],
    found: Sequence[Any],
) -> bytes:
    """The API export's file for these contacts: its columns, formula neutralising, and
    its audit entry."""
    await audit.record(
        db, principal, EXPORT, service.ENTITY, new_id(),
        detail={"format": "csv", "ids": [str(r.id) for r in found], "q": None,
                "filters": [], "sort": None},
    )
    header = export_columns(definitions)
    fields = importable_fields(definitions)
    return export.header_line(header) + export.csv_lines(found, header, fields)


def _export(body: bytes) -> Response[Any]:
    return Response(
        body, status_code=200, media_type=export.MEDIA_TYPES["csv"],
        headers={"Content-Disposition": 'attachment; filename="contacts.csv"'},
    )


async def _cell_context(
    db: AsyncSession, principal: Principal, plugin_fields: Sequence[FieldDefinition],
    contact_id: uuid.UUID, key: str,
) -> tuple[dict[str, Any], cols.Column, list[FieldDefinition]]:
    record = await service.get_record(db, principal, contact_id)  # 404 outside the tenant
    definitions = await visible_fields(db, principal, plugin_fields, service.ENTITY)
    column = next((c for c in cols.available(definitions) if c.key == key and c.patch), None)
    if column is None:
        raise RapportError(detail="Column not found", status=404, title="Not found")
    contact = (await contacts_out(db, principal, definitions, [record], None))[0]
    return ({"c": contact, "col": column, "owners": await cols.owners(db, principal),
             "value": cols.cell_value(contact, column)}, column, list(definitions))


@get("/contacts/{contact_id:uuid}/cells/{key:str}")
async def cell(
    contact_id: FromPath[uuid.UUID],
    key: FromPath[str],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    show: Annotated[bool, QueryParameter()] = False,
) -> Fragment:
    """The cell's edit form (writers), or the cell as shown (``show=true``: Cancel)."""
    if not show:
        principal.require_writer()
    context, _, _ = await _cell_context(db, principal, plugin_fields, contact_id, key)
    if show:
        return Fragment("console/contacts/cell.html", {**context, "focus_cell": True})
    return Fragment("console/contacts/cell_edit.html", context)


def _value(column: cols.Column, raw: str) -> dict[str, Any]:
    raw = raw.strip()
    assert column.patch is not None
    if column.patch == "tags":
        return {"tags": [t.strip() for t in raw.split(",") if t.strip()]}
    if column.patch == "send_window":  # "09:00-18:00 mon-fri", as the import reads it
        return {"send_window": windows.window_parts(raw, "send_window") if raw else None}
    if column.custom is not None:
        value: Any = raw or None
        if value is not None and column.custom.type == FieldType.INTEGER:
            with contextlib.suppress(ValueError):  # else the field's own rule answers
                value = int(raw)
        return {"fields": {column.key: value}}
    return {column.patch: raw or None}


@post("/contacts/{contact_id:uuid}/cells/{key:str}", status_code=200)
async def save_cell(
    request: Request,
    contact_id: FromPath[uuid.UUID],
    key: FromPath[str],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    hooks: NamedDependency[TenantHooks],
) -> Any:
    """Save one cell through ``update_contact`` (the API's PATCH). A refusal answers the
    form again with the reason beside the box (200, so htmx swaps it in place)."""
    principal.require_writer()
    context, column, definitions = await _cell_context(
        db, principal, plugin_fields, contact_id, key)
    form = await request.form()
    raw = str(form.get("value", ""))
    try:
        async with db.begin_nested():
            changes = _patch(_value(column, raw))
            await service.update_contact(db, principal, contact_id, changes, definitions,
                                         hooks, write_options(None, None))
    except RapportError as exc:
        if exc.status in (403, 404):
            raise
        errors = field_errors(exc)
        return Fragment("console/contacts/cell_edit.html", {
            **context, "value": raw, "error": next(iter(errors.values())),
        })
    if request.headers.get("hx-request") != "true":
        return redirect(request, f"/contacts/{contact_id}")
    fresh, _, _ = await _cell_context(db, principal, plugin_fields, contact_id, key)
    return Fragment("console/contacts/cell.html", {**fresh, "announce": "saved",
                                                   "focus_cell": True})
