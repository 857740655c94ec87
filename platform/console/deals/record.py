"""A deal's page (its pipeline and stage and the way it came, the customer, its custom
fields, the tasks), the move to another pipeline, and the forms that create and edit
deals — checked by the API's own ``DealIn`` / ``DealPatch`` and the field kernel."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.deals import custom
from rapport.console.deals.stages import Refused, chosen, pipeline_of, targets
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
from rapport.core.deals import pipelines
from rapport.core.deals import service as deals
from rapport.core.deals.schemas import DealIn, DealPatch
from rapport.core.fields.definitions import FieldDefinition
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
    plugin_fields: Sequence[FieldDefinition] = (),
    refused: Refused | None = None,
    moved: bool = False,
    status: int = 200,
) -> Screen:
    deal = await deals.get_deal(db, principal, deal_id)  # 404 outside the tenant
    shown, every = await chosen(db, principal, deal.pipeline)
    workflow = await pipeline_of(db, principal, definitions, deal.pipeline)
    labels = {s.key: s.label for s in workflow.states}
    fields = await deals.deal_fields(db, principal, plugin_fields)
    rendered = (await deals.field_values(db, principal, fields, [deal]))[0]
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
        "history": await workflows.history(db, principal, pipelines.workflow_name(deal.pipeline),
                                           deal.id),
        "pipeline": shown,
        "pipelines": every,
        "elsewhere": await _elsewhere(db, principal, definitions, every, deal.pipeline)
        if principal.can_write else [],
        "custom": custom.shown(fields, rendered),
        "tasks": open_tasks.items,
        "now": datetime.now(UTC),
        "refused": refused,
        "moved": moved,
    }, status=status)


async def _elsewhere(
    db: AsyncSession, principal: Principal, definitions: Mapping[str, Any],
    every: Sequence[pipelines.Pipeline], current: str,
) -> list[dict[str, Any]]:
    """The other pipelines a deal can move to, each with its stages."""
    shaped = await deals.pipeline_workflows(db, principal, definitions,
                                            [p.key for p in every if p.key != current])
    return [{"pipeline": p, "stages": [(s.key, s.label) for s in shaped[p.key].states]}
            for p in every if p.key in shaped]


def _named(names: Mapping[uuid.UUID, str], key: uuid.UUID | None) -> str | None:
    return None if key is None else names.get(key)


@get("/deals/{deal_id:uuid}")
async def deal_page(
    deal_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    workflow_definitions: NamedDependency[Mapping[str, Any]],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    moved: Annotated[bool, QueryParameter()] = False,
) -> Screen:
    return await deal_screen(db, principal, workflow_definitions, deal_id,
                             plugin_fields=plugin_fields, moved=moved)


@post("/deals/{deal_id:uuid}/pipeline", status_code=200)
async def change_pipeline(
    request: Request,
    deal_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    hooks: NamedDependency[TenantHooks],
    workflow_definitions: NamedDependency[Mapping[str, Any]],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
) -> Any:
    """Move the deal to the posted ``target`` (``<pipeline>`` for its first stage, or
    ``<pipeline>:<stage>``) through the API's own service; a refusal shows on the page."""
    form = await request.form()
    key, _, stage = str(form.get("target", "")).partition(":")
    try:
        async with db.begin_nested():
            await deals.change_pipeline(db, principal, workflow_definitions, deal_id, key,
                                        hooks, stage=stage or None)
    except RapportError as exc:
        if exc.status in (403, 404):
            raise
        refused = Refused(N_("The deal cannot move there: %(why)s"),
                          why=next(iter(field_errors(exc).values())))
        return await deal_screen(db, principal, workflow_definitions, deal_id,
                                 plugin_fields=plugin_fields, refused=refused,
                                 status=exc.status)
    return redirect(request, f"/deals/{deal_id}?moved=true")


async def _form(
    db: AsyncSession, principal: Principal, title: str, values: Mapping[str, Any],
    errors: Mapping[str, str], action: str, fields: Sequence[FieldDefinition],
    status: int = 200, choose_pipeline: bool = False,
) -> Screen:
    contact = values.get("contact_id")
    organization = values.get("organization_id")
    every = await pipelines.list_pipelines(db, principal) if choose_pipeline else ()
    return Screen("console/deals/form.html", title, {
        "values": values, "errors": errors, "action": action,
        "custom": custom.inputs(fields, values.get("fields") or {}),
        "pipelines": [(p.key, p.label, p.is_default) for p in every],
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
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    contact_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
    pipeline: Annotated[str | None, QueryParameter(max_length=40)] = None,
) -> Screen:
    principal.require_writer()
    shown, _ = await chosen(db, principal, pipeline)
    values = {"contact_id": contact_id, "owner_id": principal.membership_id,
              "pipeline": shown.key}
    fields = await deals.deal_fields(db, principal, plugin_fields)
    return await _form(db, principal, NEW, values, {}, "/deals/new", fields,
                       choose_pipeline=True)


@post("/deals/new", status_code=200)
async def create_deal(
    request: Request,
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    hooks: NamedDependency[TenantHooks],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
) -> Any:
    form = await request.form()
    values = filled(form, (*FIELDS, "pipeline"), required="title")
    fields = await deals.deal_fields(db, principal, plugin_fields)
    try:
        data = parse(values, DealIn).values()
        data["fields"] = custom.posted(form, fields, editing=False)
        async with db.begin_nested():
            deal = await deals.create_deal(db, principal, data, hooks, fields)
    except RapportError as exc:
        if exc.status == 403:
            raise
        values["fields"] = custom.form_values(form)
        return await _form(db, principal, NEW, values, field_errors(exc), "/deals/new",
                           fields, status=exc.status, choose_pipeline=True)
    return redirect(request, f"/deals/{deal.id}")


@get("/deals/{deal_id:uuid}/edit")
async def edit_deal(
    deal_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
) -> Screen:
    principal.require_writer()
    deal = await deals.get_deal(db, principal, deal_id)
    values = {name: getattr(deal, name) for name in FIELDS}
    values["fields"] = deal.fields or {}
    fields = await deals.deal_fields(db, principal, plugin_fields)
    return await _form(db, principal, EDIT, values, {}, f"/deals/{deal.id}/edit", fields)


@post("/deals/{deal_id:uuid}/edit", status_code=200)
async def update_deal(
    request: Request,
    deal_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    hooks: NamedDependency[TenantHooks],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
) -> Any:
    form = await request.form()
    values = patch(form, FIELDS)
    fields = await deals.deal_fields(db, principal, plugin_fields)
    try:
        changes = parse(values, DealPatch).changes()
        sent = custom.posted(form, fields, editing=True)
        if sent:
            changes["fields"] = sent
        async with db.begin_nested():
            await deals.update_deal(db, principal, deal_id, changes, hooks, fields)
    except RapportError as exc:
        if exc.status in (403, 404):
            raise
        values["fields"] = custom.form_values(form)
        return await _form(db, principal, EDIT, values, field_errors(exc),
                           f"/deals/{deal_id}/edit", fields, status=exc.status)
    return redirect(request, f"/deals/{deal_id}")
