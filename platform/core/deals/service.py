"""Deal actions: every lookup is scoped by the acting principal's tenant.

A deal's stage is its state in workflow ``deals.pipeline``: created deals start there, and
``move_deal`` fires the workflow's transitions. Mutations write the audit log and emit
``deal.*`` events in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, TypeAlias

from sqlalchemy import Select, case, exists, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit, workflows
from rapport.core.deals import pipeline, pipelines
from rapport.core.deals.models import Deal, DealLine
from rapport.core.deals.references import require_contact, require_member, require_organization
from rapport.core.events import emit
from rapport.core.fields import service as fields
from rapport.core.fields.definitions import FieldDefinition, FieldType, RecordView
from rapport.core.fields.filters import Target, core_target, field_targets, plan_filters
from rapport.core.fields.sorting import parse_sort
from rapport.core.pagination import Page, by_id, check_limit, cut, decode_id
from rapport.core.transactions import lines, money
from rapport.core.workflows import engine
from rapport.core.workflows.models import HistoryEntry, StageOverride
from rapport.core.workflows.stages import apply_overrides, effective_workflow
from rapport.errors import conflict, invalid, not_found
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal

DEAL_CREATED = "deal.created"
DEAL_UPDATED = "deal.updated"
DEAL_DELETED = "deal.deleted"
DEAL_STAGE_CHANGED = "deal.stage_changed"
DEAL_PIPELINE_CHANGED = "deal.pipeline_changed"
CHANGE_PIPELINE = "change_pipeline"  # the history entry of a move to another pipeline
PLAIN = ("title", "probability", "expected_close_date")


DealPage: TypeAlias = Page[Deal]
# Stage labels by pipeline key, then stage key.
Labels: TypeAlias = dict[str, dict[str, str]]
# Core columns a deal list can be filtered and sorted by, read as the field type they
# behave as (custom fields come from the field kernel).
QUERYABLE: dict[str, FieldType] = {
    "title": FieldType.TEXT,
    "amount": FieldType.DECIMAL,
    "currency": FieldType.TEXT,
    "probability": FieldType.INTEGER,
    "expected_close_date": FieldType.DATE,
    "owner_id": FieldType.REFERENCE,
    "contact_id": FieldType.REFERENCE,
    "organization_id": FieldType.REFERENCE,
    "created_at": FieldType.DATETIME,
    "updated_at": FieldType.DATETIME,
}


def audited(deal: Deal) -> dict[str, Any]:
    """What the audit log compares and events carry: the editable values and the lines."""
    return {
        **pipeline.snapshot(deal),
        "organization_id": deal.organization_id,
        "lines": lines.audited(deal.lines, deal.currency),
        **{f"fields.{k}": v for k, v in (deal.fields or {}).items()},
    }


def record_view(deal: Deal) -> RecordView:
    """What a computed deal field sees of a deal."""
    return RecordView(id=deal.id, entity=pipeline.ENTITY,
                      attributes={**pipeline.snapshot(deal), "pipeline": deal.pipeline,
                                  "stage": deal.stage},
                      fields=deal.fields or {})


async def field_values(
    session: AsyncSession, actor: Principal, definitions: Sequence[FieldDefinition],
    items: Sequence[Deal],
) -> list[dict[str, Any]]:
    """Each deal's ``fields`` as a client sees them (computed ones included)."""
    return await fields.render(session, actor.tenant_id, definitions,
                               [record_view(d) for d in items])


async def deal_fields(
    session: AsyncSession, actor: Principal, plugin_fields: Sequence[FieldDefinition]
) -> tuple[FieldDefinition, ...]:
    """The custom fields deals carry for this tenant (its own and enabled modules')."""
    return await fields.visible_fields(session, actor, plugin_fields, pipeline.ENTITY)


async def get_deal(session: AsyncSession, actor: Principal, deal_id: uuid.UUID) -> Deal:
    deal = (
        await session.execute(
            select(Deal).where(Deal.tenant_id == actor.tenant_id, Deal.id == deal_id,
                               Deal.deleted_at.is_(None))
        )
    ).scalar_one_or_none()
    if deal is None:
        raise not_found("Deal")
    return deal


async def pipeline_workflows(
    session: AsyncSession, actor: Principal, definitions: Mapping[str, workflows.Workflow],
    keys: Iterable[str] | None = None,
) -> dict[str, workflows.Workflow]:
    """Pipeline key → its workflow as this tenant shaped it (all pipelines, or ``keys``),
    with one query for the stage overrides."""
    all_pipelines = await pipelines.list_pipelines(session, actor)
    wanted = set(keys) if keys is not None else None
    chosen = [p for p in all_pipelines if wanted is None or p.key in wanted]
    defs = await pipelines.definitions(session, actor, definitions)
    if len(chosen) == 1:
        one = chosen[0]
        return {one.key: await effective_workflow(session, actor, defs, one.workflow)}
    names = [p.workflow for p in chosen]
    by_workflow: dict[str, list[StageOverride]] = {n: [] for n in names}
    if names:
        rows = await session.execute(
            select(StageOverride)
            .where(StageOverride.tenant_id == actor.tenant_id, StageOverride.workflow.in_(names))
            .order_by(StageOverride.key)
        )
        for row in rows.scalars():
            by_workflow[row.workflow].append(row)
    return {p.key: apply_overrides(defs[p.workflow], by_workflow[p.workflow]) for p in chosen}


async def stage_labels(
    session: AsyncSession, actor: Principal, definitions: Mapping[str, workflows.Workflow],
    keys: Iterable[str] | None = None,
) -> Labels:
    """Pipeline key → stage key → label as this tenant named them (its added stages
    included); every pipeline, or those of ``keys``."""
    shaped = await pipeline_workflows(session, actor, definitions, keys)
    return {key: {s.key: s.label for s in wf.states} for key, wf in shaped.items()}


def _set_lines(deal: Deal, given: list[lines.LineIn], currency: str | None) -> None:
    if given and currency is None:
        raise invalid("currency", "required when the deal has lines")
    priced = lines.price("lines", given, currency) if currency is not None else []
    deal.lines = [
        DealLine(
            tenant_id=deal.tenant_id,
            position=i,
            product=line.product,
            category=line.category,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
        )
        for i, line in enumerate(priced)
    ]


def _settle_money(deal: Deal, changes: Mapping[str, Any]) -> None:
    """Apply currency, lines and amount together: with lines, the amount is their sum."""
    if "currency" in changes:
        code = changes["currency"]
        deal.currency = None if code is None else money.currency_code("currency", code)
    if "lines" in changes:
        _set_lines(deal, changes["lines"] or [], deal.currency)
    elif "currency" in changes and deal.lines:
        if deal.currency is None:
            raise invalid("currency", "required while the deal has lines")
        # Rounding of each line follows the currency's minor units.
        for line in deal.lines:
            line.amount = money.line_amount(line.quantity, line.unit_price, deal.currency)
    if deal.lines:
        total = money.total("lines", deal.lines)
        given = changes.get("amount")
        if given is not None and given != total:
            shown = money.as_text(total, deal.currency)
            raise invalid("amount", f"is the sum of the lines ({shown}); leave it out")
        deal.amount = total
    elif "amount" in changes:
        deal.amount = changes["amount"]
    if deal.amount is not None:
        if deal.currency is None:
            raise invalid("currency", "required when the deal has an amount")
        deal.amount = money.amount("amount", deal.amount, deal.currency)


async def _apply(
    session: AsyncSession, actor: Principal, deal: Deal, changes: Mapping[str, Any]
) -> None:
    if "title" in changes and not (changes["title"] or "").strip():
        raise invalid("title", "must not be blank")
    for key in PLAIN:
        if key in changes:
            value = changes[key]
            setattr(deal, key, value.strip() if isinstance(value, str) else value)
    if "contact_id" in changes:
        await require_contact(session, actor, "contact_id", changes["contact_id"])
        deal.contact_id = changes["contact_id"]
    if "organization_id" in changes:
        await require_organization(session, actor, "organization_id", changes["organization_id"])
        deal.organization_id = changes["organization_id"]
    if "owner_id" in changes:
        await require_member(session, actor, "owner_id", changes["owner_id"])
        deal.owner_id = changes["owner_id"]
    _settle_money(deal, changes)


async def _set_fields(
    session: AsyncSession, actor: Principal, deal: Deal,
    definitions: Sequence[FieldDefinition], given: Mapping[str, Any] | None, *, partial: bool,
) -> None:
    """Custom field values, checked by the field kernel (types, required, references)."""
    if given is None and partial:
        return
    clean = await fields.prepare_values(session, actor.tenant_id, definitions, given or {},
                                        partial=partial)
    deal.fields = fields.merge(deal.fields or {}, clean)


async def create_deal(
    session: AsyncSession,
    actor: Principal,
    data: Mapping[str, Any],
    hooks: TenantHooks,
    definitions: Sequence[FieldDefinition] = (),
) -> Deal:
    """A new deal in its pipeline's (``pipeline``, else the default one) first stage, owned
    by ``owner_id`` or the caller; ``definitions``: the deal fields visible to the caller."""
    actor.require_writer()
    values = {key: value for key, value in data.items() if value is not None}
    values.setdefault("owner_id", actor.membership_id)
    chosen = await pipelines.by_key(session, actor, values.pop("pipeline", pipelines.DEFAULT),
                                    "pipeline")
    await pipelines.hold(session, actor, chosen.key, "pipeline")
    deal = Deal(
        tenant_id=actor.tenant_id,
        stage=pipeline.PIPELINE.initial,
        pipeline=chosen.key,
        created_by=actor.user_id,
        lines=[],
        fields={},
    )
    await _apply(session, actor, deal, values)
    await _set_fields(session, actor, deal, definitions, values.get("fields"), partial=False)
    session.add(deal)
    await session.flush()
    workflow = replace(pipeline.PIPELINE, name=chosen.workflow)
    await workflows.start(session, actor, workflow, pipeline.ENTITY, deal.id)
    snapshot = audited(deal)
    await audit.record(session, actor, audit.CREATE, pipeline.ENTITY, deal.id,
                       audit.diff({}, snapshot))
    await emit(session, actor, hooks, DEAL_CREATED, pipeline.ENTITY, deal.id,
               audit.jsonable({**snapshot, "stage": deal.stage, "pipeline": deal.pipeline}))
    return deal


async def update_deal(
    session: AsyncSession,
    actor: Principal,
    deal_id: uuid.UUID,
    changes: Mapping[str, Any],
    hooks: TenantHooks,
    definitions: Sequence[FieldDefinition] = (),
) -> Deal:
    """Change the fields sent; the stage moves only through ``move_deal``, the pipeline
    through ``change_pipeline``. ``fields``: only the custom fields sent change."""
    actor.require_writer()
    deal = await get_deal(session, actor, deal_id)
    before = audited(deal)
    await _apply(session, actor, deal, changes)
    if "fields" in changes:
        await _set_fields(session, actor, deal, definitions, changes["fields"] or {},
                          partial=True)
    await session.flush()
    changed = audit.diff(before, audited(deal))
    if changed:
        await audit.record(session, actor, audit.UPDATE, pipeline.ENTITY, deal.id, changed)
        await emit(session, actor, hooks, DEAL_UPDATED, pipeline.ENTITY, deal.id,
                   {"changes": changed})
    return deal


async def delete_deal(
    session: AsyncSession,
    actor: Principal,
    deal_id: uuid.UUID,
    hooks: TenantHooks,
) -> None:
    actor.require_writer()
    deal = await get_deal(session, actor, deal_id)
    before = {**audited(deal), "stage": deal.stage}
    # Into the trash: its workflow instance stays (restoring keeps the stage) until the
    # deal is purged (rapport.core.trash.service drops it then).
    deal.move_to_trash(actor.user_id)
    await session.flush()
    await audit.record(session, actor, audit.DELETE, pipeline.ENTITY, deal_id,
                       audit.diff(before, {}))
    await emit(session, actor, hooks, DEAL_DELETED, pipeline.ENTITY, deal_id,
               audit.jsonable(before))


async def move_deal(
    session: AsyncSession,
    actor: Principal,
    definitions: Mapping[str, workflows.Workflow],
    deal_id: uuid.UUID,
    transition: str,
    hooks: TenantHooks,
    note: str | None = None,
) -> Deal:
    """Fire a transition of the deal's pipeline: 409 when the current stage (or a
    condition) forbids it."""
    deal = await get_deal(session, actor, deal_id)
    defs = await pipelines.definitions(session, actor, definitions)
    fired = await workflows.fire(
        session, actor, defs, pipelines.workflow_name(deal.pipeline), deal.id, transition,
        note=note, record_fields=pipeline.snapshot(deal),
    )
    # The database trigger has copied the new state into deals.stage.
    await session.refresh(deal, ["stage", "updated_at"])
    moved = {"stage": [fired.entry.from_state, fired.entry.to_state]}
    detail = {"transition": transition, "note": fired.entry.note}
    await audit.record(session, actor, audit.UPDATE, pipeline.ENTITY, deal.id, moved, detail)
    await emit(session, actor, hooks, DEAL_STAGE_CHANGED, pipeline.ENTITY, deal.id,
               {"from_stage": fired.entry.from_state, "to_stage": deal.stage,
                "transition": transition})
    return deal


def query_targets(
    tenant_id: uuid.UUID, definitions: Sequence[FieldDefinition]
) -> dict[str, Target]:
    """What ``filter`` and ``sort`` may name: core columns and custom deal fields."""
    core = {name: core_target(name, getattr(Deal, name), t) for name, t in QUERYABLE.items()}
    custom = field_targets(Deal.fields, definitions, record_id=Deal.id, tenant_id=tenant_id)
    return {**core, **custom}


def list_statement(
    tenant_id: uuid.UUID,
    *,
    stage: str | None = None,
    owner_id: uuid.UUID | None = None,
    contact_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = 50,
    unowned: bool = False,
    pipeline_key: str | None = None,
    definitions: Sequence[FieldDefinition] = (),
    filters: Sequence[str] = (),
    sort: str | None = None,
) -> Select[Any]:
    """The list query, newest first unless ``sort`` (exposed so tests can EXPLAIN what the
    endpoint runs). ``unowned``: only deals nobody owns (the console's "No owner" column).
    ``filters``: the field kernel's ``field:op:value`` grammar, as for contacts; with
    ``sort`` the sort value is selected as a second column for the next cursor."""
    targets = query_targets(tenant_id, definitions) if filters or sort else {}
    planned = plan_filters(filters, targets, definitions)
    order = parse_sort(sort, targets, definitions)
    conditions = [Deal.tenant_id == tenant_id, Deal.deleted_at.is_(None), *planned.conditions]
    if pipeline_key is not None:
        conditions.append(Deal.pipeline == pipeline_key)
    if stage is not None:
        conditions.append(Deal.stage == stage)
    if owner_id is not None:
        conditions.append(Deal.owner_id == owner_id)
    if unowned:
        conditions.append(Deal.owner_id.is_(None))
    if contact_id is not None:
        conditions.append(Deal.contact_id == contact_id)
    walk = planned.walk
    query: Select[Any] = select(Deal) if order is None else select(
        Deal, order.value.label("sort_value"))
    if walk is not None:
        query = query.join(walk.entries, walk.join_condition(Deal.id))
    query = query.where(*conditions)
    if order is None:
        if cursor:
            last_id = decode_id(cursor)
            query = query.where(Deal.id < last_id)
            if walk is not None:  # so the walk starts at the cursor, not the end
                query = query.where(walk.record_id < last_id)
        return query.order_by(Deal.id.desc()).limit(limit + 1)
    if cursor:
        value, last_id = order.decode(cursor)
        query = query.where(order.after(Deal.id, value, last_id))
    return query.order_by(*order.order_by(Deal.id)).limit(limit + 1)


async def list_deals(
    session: AsyncSession,
    actor: Principal,
    *,
    stages: Labels,
    stage: str | None = None,
    owner: str | None = None,
    contact_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = 50,
    unowned: bool = False,
    pipeline_key: str | None = None,
    definitions: Sequence[FieldDefinition] = (),
    filters: Sequence[str] = (),
    sort: str | None = None,
) -> DealPage:
    """``owner`` is a member id or ``me``; ``stages`` the tenant's stage labels by pipeline
    (``stage_labels``); ``pipeline_key`` one pipeline's deals; ``filters``/``sort`` over
    core columns and ``definitions`` (the deal fields visible to the caller)."""
    check_limit(limit)
    if pipeline_key is not None and pipeline_key not in stages:
        raise invalid("pipeline", f"must be one of {', '.join(stages)}")
    if stage is not None:
        known = stages[pipeline_key] if pipeline_key is not None else {
            key: label for labels in stages.values() for key, label in labels.items()}
        if stage not in known:
            raise invalid("stage", f"must be one of {', '.join(known)}")
    query = list_statement(
        actor.tenant_id,
        stage=stage,
        owner_id=member_filter("owner", owner, actor),
        contact_id=contact_id,
        cursor=cursor,
        limit=limit,
        unowned=unowned,
        pipeline_key=pipeline_key,
        definitions=definitions,
        filters=filters,
        sort=sort,
    )
    if not sort:
        return cut(list((await session.execute(query)).scalars()), limit, by_id)
    order = parse_sort(sort, query_targets(actor.tenant_id, definitions), definitions)
    assert order is not None
    rows = list((await session.execute(query)).all())
    return cut(rows, limit, order.key).map(lambda row: row[0])


async def change_pipeline(
    session: AsyncSession,
    actor: Principal,
    definitions: Mapping[str, workflows.Workflow],
    deal_id: uuid.UUID,
    pipeline_key: str,
    hooks: TenantHooks,
    stage: str | None = None,
    note: str | None = None,
) -> Deal:
    """Move a deal to another pipeline, into ``stage`` or the pipeline's first stage.

    The deal keeps its workflow instance and history: the instance moves to the other
    pipeline's workflow and the history records the step (``change_pipeline``). A stage
    whose moves carry conditions (``won`` needs an amount) is refused (409) when the deal
    does not meet them, as a transition there would be.
    """
    actor.require_writer()
    deal = await get_deal(session, actor, deal_id)
    target = await pipelines.by_key(session, actor, pipeline_key, "pipeline")
    if target.key == deal.pipeline:
        raise conflict(f"The deal is already in pipeline {target.key!r}",
                       current_pipeline=deal.pipeline)
    await pipelines.hold(session, actor, target.key, "pipeline")
    defs = await pipelines.definitions(session, actor, definitions)
    workflow = await effective_workflow(session, actor, defs, target.workflow, lock="share")
    landing = workflow.initial if stage is None else stage
    if workflow.state(landing) is None:
        raise invalid("stage", "must be one of " + ", ".join(s.key for s in workflow.states))
    fields_now = pipeline.snapshot(deal)
    for transition in workflow.transitions:
        if transition.target == landing and (
            failed := engine.failed_condition(transition, fields_now)
        ):
            raise conflict(
                f"Condition not met for stage {landing!r}: {failed.explain_failure(fields_now)}",
                condition=failed.describe(),
            )
    instance = await workflows.get_instance(
        session, actor, pipelines.workflow_name(deal.pipeline), deal.id, lock=True)
    before = {"pipeline": deal.pipeline, "stage": deal.stage}
    instance.workflow, instance.state = target.workflow, landing
    session.add(HistoryEntry(
        tenant_id=actor.tenant_id, instance_id=instance.id, transition=CHANGE_PIPELINE,
        from_state=before["stage"], to_state=landing, actor_id=actor.user_id,
        note=(note or "").strip() or None,
    ))
    await session.flush()
    # The database trigger has copied the instance's pipeline and state into the deal.
    await session.refresh(deal, ["stage", "pipeline", "updated_at"])
    after = {"pipeline": deal.pipeline, "stage": deal.stage}
    await audit.record(session, actor, audit.UPDATE, pipeline.ENTITY, deal.id,
                       audit.diff(before, after), {"transition": CHANGE_PIPELINE})
    await emit(session, actor, hooks, DEAL_PIPELINE_CHANGED, pipeline.ENTITY, deal.id,
               {"from_pipeline": before["pipeline"], "to_pipeline": deal.pipeline,
                "from_stage": before["stage"], "to_stage": deal.stage})
    return deal


def member_filter(field: str, value: str | None, actor: Principal) -> uuid.UUID | None:
    """A member filter from a query string: ``me`` or a member id."""
    if value is None:
        return None
    if value == "me":
        return actor.membership_id
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise invalid(field, "must be 'me' or a member id") from exc


def open_deals_statement(
    tenant_id: uuid.UUID, contact_id: uuid.UUID, limit: int
) -> Select[uuid.UUID, str, str, Decimal | None, str | None, date | None, uuid.UUID | None]:
    """A contact's deals not in a closing stage (declared or added by the tenant), newest
    first — one query over the (tenant_id, contact_id, id) index."""
    closed = [state.key for state in pipeline.PIPELINE.states if state.terminal]
    # A stage the tenant added as closing, in the deal's own pipeline's workflow.
    deal_workflow = case(
        (Deal.pipeline == pipelines.DEFAULT, literal(pipeline.NAME)),
        else_=literal(pipelines.PREFIX) + Deal.pipeline,
    )
    tenant_closed = exists(select(StageOverride.id).where(
        StageOverride.tenant_id == tenant_id,
        StageOverride.workflow == deal_workflow,
        StageOverride.key == Deal.stage,
        StageOverride.terminal.is_(True),
    ))
    return (
        select(
            Deal.id, Deal.title, Deal.stage, Deal.amount, Deal.currency,
            Deal.expected_close_date, Deal.owner_id,
        )
        .where(
            Deal.tenant_id == tenant_id,
            Deal.contact_id == contact_id,
            Deal.deleted_at.is_(None),
            Deal.stage.not_in(closed),
            ~tenant_closed,
        )
        .order_by(Deal.id.desc())
        .limit(limit)
    )


async def open_deals(
    session: AsyncSession, tenant_id: uuid.UUID, contact_id: uuid.UUID, limit: int = 20
) -> list[dict[str, Any]]:
    rows = await session.execute(open_deals_statement(tenant_id, contact_id, limit))
    return [
        {
            "id": str(row.id),
            "title": row.title,
            "stage": row.stage,
            "amount": _money_text(row.amount, row.currency),
            "currency": row.currency,
            "expected_close_date": audit.jsonable(row.expected_close_date),
            "owner_id": audit.jsonable(row.owner_id),
        }
        for row in rows
    ]


def _money_text(value: Decimal | None, currency: str | None) -> str | None:
    return None if value is None else money.as_text(value, currency)
