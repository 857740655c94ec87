"""A deal's page (its stage and the way it came, the customer, the tasks) and the forms
that create and edit deals — checked by the API's own ``DealIn`` / ``DealPatch``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.deals.stages import Refused, pipeline_of, targets
from rapport.console.forms import field_errors, parse
from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.console.pickers import (
    contact_names,
    filled,
    member_names,
    organization_choices,
    organization_names,
    patch,
    recent_contacts,
)
from rapport.core import workflows
from rapport.core.deals import pipeline
from rapport.core.deals import service as deals
from rapport.core.deals.schemas import DealIn, DealPatch
from rapport.core.tasks import service as tasks
from rapport.errors import RapportError
from rapport.hooks import Screen, TenantHooks
from rapport.tenancy.principal import Principal

FIELDS = ("title", "amount", "currency", "probability", "expected_close_date", "contact_id",
          "organization_id", "owner_id")
# Page titles (marked for the catalogs, translated when shown).
NEW, EDIT = N_("New deal"), N_("Edit deal")


async def deal_screen(
    db: AsyncSession,
    principal: Principal,
    definitions: Mapping[str, Any],
    deal_id: uuid.UUID,
    *,
    refused: Refused | None = None,
    moved: bool = False,
    status: int = 200,
) -> Screen:
    deal = await deals.get_deal(db, principal, deal_id)  # 404 outside the tenant
    workflow = await pipeline_of(db, principal, definitions)
    labels = {s.key: s.label for s in workflow.states}
    open_tasks = await tasks.list_tasks(db, principal, datetime.now(UTC),
                                        tasks.TaskFilters(deal_id=deal.id), limit=20)
    return Screen("console/deals/deal.html", deal.title, {
        "deal": deal,
        "stage": labels.get(deal.stage, deal.stage),
        "targets": targets(workflow, deal.stage) if principal.can_write else [],
        "labels": labels,
        "customer": _named(await contact_names(db, principal, [deal.contact_id]),
                           deal.contact_id),
        "organization": _named(await organization_names(db, principal, [deal.organization_id]),
                               deal.organization_id),
        "owner": _named(await member_names(db, principal), deal.owner_id),
        "history": await workflows.history(db, principal, pipeline.NAME, deal.id),
        "tasks": open_tasks.items,
        "now": datetime.now(UTC),
        "refused": refused,
        "moved": moved,
    }, status=status)


def _named(names: Mapping[uuid.UUID, str], key: uuid.UUID | None) -> str | None:
    return None if key is None else names.get(key)


@get("/deals/{deal_id:uuid}")
async def deal_page(
    deal_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    workflow_definitions: NamedDependency[Mapping[str, Any]],
    moved: Annotated[bool, QueryParameter()] = False,
) -> Screen:
    return await deal_screen(db, principal, workflow_definitions, deal_id, moved=moved)


async def _form(
    db: AsyncSession, principal: Principal, title: str, values: Mapping[str, Any],
    errors: Mapping[str, str], action: str, status: int = 200,
) -> Screen:
    contact = values.get("contact_id")
    organization = values.get("organization_id")
    return Screen("console/deals/form.html", title, {
        "values": values, "errors": errors, "action": action,
        "contacts": await recent_contacts(db, principal, _uuid(contact)),
        "organizations": await organization_choices(db, principal, _uuid(organization)),
        "members": sorted((await member_names(db, principal)).items(), key=lambda m: m[1]),
    }, status=status)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


@get("/deals/new")
async def new_deal(
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    contact_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
) -> Screen:
    principal.require_writer()
    values = {"contact_id": contact_id, "owner_id": principal.membership_id}
    return await _form(db, principal, NEW, values, {}, "/deals/new")


@post("/deals/new", status_code=200)
async def create_deal(
    request: Request,
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    hooks: NamedDependency[TenantHooks],
) -> Any:
    form = await request.form()
    values = filled(form, FIELDS, required="title")
    try:
        data = parse(values, DealIn)
        async with db.begin_nested():
            deal = await deals.create_deal(db, principal, data.values(), hooks)
    except RapportError as exc:
        if exc.status == 403:
            raise
        return await _form(db, principal, NEW, values, field_errors(exc), "/deals/new",
                           status=exc.status)
    return redirect(request, f"/deals/{deal.id}")


@get("/deals/{deal_id:uuid}/edit")
async def edit_deal(
    deal_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
) -> Screen:
    principal.require_writer()
    deal = await deals.get_deal(db, principal, deal_id)
    values = {name: getattr(deal, name) for name in FIELDS}
    return await _form(db, principal, EDIT, values, {}, f"/deals/{deal.id}/edit")


@post("/deals/{deal_id:uuid}/edit", status_code=200)
async def update_deal(
    request: Request,
    deal_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    hooks: NamedDependency[TenantHooks],
) -> Any:
    form = await request.form()
    values = patch(form, FIELDS)
    try:
        changes = parse(values, DealPatch).changes()
        async with db.begin_nested():
            await deals.update_deal(db, principal, deal_id, changes, hooks)
    except RapportError as exc:
        if exc.status in (403, 404):
            raise
        return await _form(db, principal, EDIT, values, field_errors(exc),
                           f"/deals/{deal_id}/edit", status=exc.status)
    return redirect(request, f"/deals/{deal_id}")
