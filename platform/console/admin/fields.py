"""Custom fields: the organization's own (``custom.*``) and its modules' fields, by entity,
and a form to add one — ``rapport.core.fields.service``, the API's rules and refusals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.admin.common import GUARDS, TABS
from rapport.console.forms import field_errors
from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.console.rendering import screen_response
from rapport.core.fields import service
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.entities import known_entities
from rapport.errors import RapportError
from rapport.hooks import FieldType, Screen
from rapport.tenancy.principal import Principal

PATH = "/settings/fields"
TYPES = {
    FieldType.TEXT: N_("Text"), FieldType.LONG_TEXT: N_("Long text"),
    FieldType.INTEGER: N_("Whole number"), FieldType.DECIMAL: N_("Decimal number"),
    FieldType.MONEY: N_("Money"), FieldType.BOOLEAN: N_("Yes or no"),
    FieldType.DATE: N_("Date"), FieldType.DATETIME: N_("Date and time"),
    FieldType.ENUM: N_("One of a list"), FieldType.MULTI_ENUM: N_("Several of a list"),
    FieldType.EMAIL: N_("E-mail"), FieldType.PHONE: N_("Phone"), FieldType.URL: N_("Web address"),
    FieldType.REFERENCE: N_("Link to a record"),
}
# What each entity is called on screen (one the kernel does not name shows as its key).
ENTITY_LABELS = {"contact": N_("Contacts"), "deal": N_("Deals")}
BLANK = {"key": "", "label": "", "entity": "contact", "type": "text", "options": "",
         "required": False, "indexed": False}


async def _page(request: Request, db: AsyncSession, principal: Principal,
                plugin_fields: Sequence[FieldDefinition], *, values: dict[str, Any] | None = None,
                errors: dict[str, str] | None = None, status: int = 200) -> Response[str]:
    found = await service.visible_fields(db, principal, plugin_fields, None)
    return screen_response(request, Screen("console/admin/fields.html", "Custom fields", {
        "tabs": TABS, "here": PATH, "fields": found, "types": TYPES,
        "entities": sorted(await known_entities(db)), "entity_labels": ENTITY_LABELS,
        "values": values or BLANK, "errors": errors or {},
        "created": request.query_params.get("created"),
        "updated": request.query_params.get("updated"),
        "deleted": request.query_params.get("deleted"),
    }, status=status))


@get(PATH, guards=GUARDS)
async def fields_page(
    request: Request, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
) -> Response[str]:
    return await _page(request, db, principal, plugin_fields)


@post(PATH, guards=GUARDS, status_code=200)
async def create_field(
    request: Request, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
) -> Response[str]:
    form = await request.form()
    values: dict[str, Any] = {k: str(form.get(k, "")).strip()
                              for k in ("key", "label", "entity", "type", "options")}
    values["required"] = form.get("required") is not None
    values["indexed"] = form.get("indexed") is not None
    options = [o.strip() for o in values["options"].split(",") if o.strip()]
    try:
        row = await service.create_field(db, principal, {**values, "options": options})
    except RapportError as exc:
        if exc.status not in (409, 422):
            raise
        errors = field_errors(exc)
        if exc.status == 409:
            errors = {"key": exc.detail}
        return await _page(request, db, principal, plugin_fields, values=values, errors=errors,
                           status=exc.status)
    return redirect(request, f"{PATH}?created={row.full_key}")


PAGES = [fields_page, create_field]
