"""Settings → custom fields: edit one of the organization's own fields (label, choices,
required, searchable) and delete one after a confirmation that says what happens to the
values records hold. Both through ``rapport.core.fields.service`` — the services of
``PATCH`` and ``DELETE /api/v1/fields/{key}`` — so key, entity and type stay fixed, a
module's field is refused (403) and another organization's is not found (404)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.admin.common import GUARDS, TABS
from rapport.console.admin.fields import PATH, TYPES
from rapport.console.forms import field_errors
from rapport.console.guards import redirect
from rapport.console.rendering import screen_response
from rapport.core.fields import service
from rapport.core.fields.definitions import CHOICE_TYPES, FieldDefinition, FieldType
from rapport.errors import RapportError
from rapport.hooks import Screen
from rapport.tenancy.principal import Principal

ITEM = PATH + "/{entity:str}/{key:str}"


def _values(d: FieldDefinition) -> dict[str, Any]:
    return {"label": d.label, "options": ", ".join(d.options), "required": d.required,
            "indexed": d.indexed}


async def _edit_page(
    request: Request, db: AsyncSession, principal: Principal,
    plugin_fields: Sequence[FieldDefinition], entity: str, key: str, *,
    values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response[str]:
    row = await service.find_field(db, principal, key, entity, plugin_fields)  # 403 / 404
    d = service.definition_of(row)
    return screen_response(request, Screen("console/admin/field_edit.html", "Edit a field", {
        "tabs": TABS, "here": PATH, "d": d, "type_label": TYPES.get(d.type, d.type),
        "has_options": d.type in CHOICE_TYPES or d.type == FieldType.REFERENCE,
        "values": values or _values(d), "errors": errors or {},
    }, status=status))


@get(ITEM + "/edit", guards=GUARDS)
async def edit_field(
    request: Request, entity: FromPath[str], key: FromPath[str],
    principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
) -> Response[str]:
    return await _edit_page(request, db, principal, plugin_fields, entity, key)


@post(ITEM + "/edit", guards=GUARDS, status_code=200)
async def update_field(
    request: Request, entity: FromPath[str], key: FromPath[str],
    principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
) -> Response[str]:
    form = await request.form()
    values: dict[str, Any] = {"label": str(form.get("label", "")).strip(),
                              "options": str(form.get("options", "")).strip(),
                              "required": form.get("required") is not None,
                              "indexed": form.get("indexed") is not None}
    changes = {k: v for k, v in values.items() if k != "options"}
    if "options" in form:
        changes["options"] = [o.strip() for o in values["options"].split(",") if o.strip()]
    try:
        async with db.begin_nested():
            row = await service.update_field(db, principal, key, entity, changes, plugin_fields)
    except RapportError as exc:
        if exc.status != 422:
            raise
        return await _edit_page(request, db, principal, plugin_fields, entity, key,
                                values=values, errors=field_errors(exc), status=422)
    return redirect(request, f"{PATH}?updated={quote(row.full_key)}")


@get(ITEM + "/delete", guards=GUARDS)
async def confirm_delete(
    request: Request, entity: FromPath[str], key: FromPath[str],
    principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
) -> Response[str]:
    row = await service.find_field(db, principal, key, entity, plugin_fields)
    held = await service.count_values(db, principal, key, entity, plugin_fields)
    return screen_response(request, Screen("console/admin/field_delete.html", "Delete a field", {
        "tabs": TABS, "here": PATH, "d": service.definition_of(row), "held": held,
    }))


@post(ITEM + "/delete", guards=GUARDS, status_code=200)
async def delete_field(
    request: Request, entity: FromPath[str], key: FromPath[str],
    principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
) -> Response[str]:
    row = await service.find_field(db, principal, key, entity, plugin_fields)
    full_key = row.full_key
    await service.delete_field(db, principal, key, entity, plugin_fields)
    return redirect(request, f"{PATH}?deleted={quote(full_key)}")


PAGES = [edit_field, update_field, confirm_delete, delete_field]
