"""Organization screens: the list (search by the start of the name as you type, cursor
paging), an organization's page with its people, and the create and edit forms — checked
by the API's own ``OrganizationIn`` / ``OrganizationPatch``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.forms import field_errors, parse
from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.console.pickers import filled, patch
from rapport.core.fields.sorting import MAX_CURSOR
from rapport.core.organizations import links
from rapport.core.organizations import service as organizations
from rapport.core.organizations.schemas import OrganizationIn, OrganizationPatch
from rapport.errors import RapportError
from rapport.hooks import Fragment, Screen
from rapport.tenancy.principal import Principal

PAGE = 25
PEOPLE = 50
FIELDS = ("name", "website", "industry", "notes", "external_id")
# Page titles (marked for the catalogs, translated when shown).
NEW, EDIT = N_("New organization"), N_("Edit organization")


@get("/organizations")
async def organization_list(
    request: Request,
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    q: Annotated[str | None, QueryParameter(max_length=200)] = None,
    cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
) -> Screen | Fragment:
    q = (q or "").strip() or None
    items, next_cursor = await organizations.list_organizations(
        db, principal, q=q, cursor=cursor, limit=PAGE)
    context = {"organizations": items, "next_cursor": next_cursor, "q": q or ""}
    if cursor is not None and request.headers.get("hx-request") == "true":
        return Fragment("console/organizations/rows.html", context)
    if request.headers.get("hx-target") == "organization-results":
        return Fragment("console/organizations/results.html", context)
    return Screen("console/organizations/list.html", "Organizations", context)


@get("/organizations/{organization_id:uuid}")
async def organization_page(
    request: Request,
    organization_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
) -> Screen | Fragment:
    org = await organizations.get_organization(db, principal, organization_id)  # 404 outside
    people, next_cursor = await links.people(db, principal, org.id, cursor=cursor,
                                             limit=PEOPLE)
    context = {"org": org, "people": people, "next_cursor": next_cursor}
    if cursor is not None and request.headers.get("hx-request") == "true":
        return Fragment("console/organizations/people.html", context)
    return Screen("console/organizations/page.html", org.name, context)


def _form(title: str, values: Mapping[str, Any], errors: Mapping[str, str], action: str,
          status: int = 200) -> Screen:
    return Screen("console/organizations/form.html", title,
                  {"values": values, "errors": errors, "action": action}, status=status)


@get("/organizations/new")
async def new_organization(principal: NamedDependency[Principal]) -> Screen:
    principal.require_writer()
    return _form(NEW, {}, {}, "/organizations/new")


@post("/organizations/new", status_code=200)
async def create_organization(
    request: Request, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
) -> Any:
    form = await request.form()
    values = filled(form, FIELDS, required="name")
    try:
        data = parse(values, OrganizationIn)
        async with db.begin_nested():
            org = await organizations.create_organization(
                db, principal, {f: getattr(data, f) for f in FIELDS})
    except RapportError as exc:
        if exc.status == 403:
            raise
        return _form(NEW, values, field_errors(exc), "/organizations/new",
                     status=exc.status)
    return redirect(request, f"/organizations/{org.id}")


@get("/organizations/{organization_id:uuid}/edit")
async def edit_organization(
    organization_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
) -> Screen:
    principal.require_writer()
    org = await organizations.get_organization(db, principal, organization_id)
    return _form(EDIT, {f: getattr(org, f) for f in FIELDS}, {},
                 f"/organizations/{org.id}/edit")


@post("/organizations/{organization_id:uuid}/edit", status_code=200)
async def update_organization(
    request: Request,
    organization_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
) -> Any:
    form = await request.form()
    values = patch(form, FIELDS)
    try:
        changes = parse(values, OrganizationPatch).changes()
        async with db.begin_nested():
            await organizations.update_organization(db, principal, organization_id, changes)
    except RapportError as exc:
        if exc.status in (403, 404):
            raise
        return _form(EDIT, values, field_errors(exc),
                     f"/organizations/{organization_id}/edit", status=exc.status)
    return redirect(request, f"/organizations/{organization_id}")
