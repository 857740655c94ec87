"""Deal actions: every lookup is scoped by the acting principal's tenant.

A deal's stage is its state in workflow ``deals.pipeline``: created deals start there, and
``move_deal`` fires the workflow's transitions. Mutations write the audit log and emit
``deal.*`` events in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, TypeAlias

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit, workflows
from rapport.core.deals import pipeline
from rapport.core.deals.models import Deal, DealLine
from rapport.core.deals.references import require_contact, require_member, require_organization
from rapport.core.events import emit
from rapport.core.pagination import Page, by_id, check_limit, cut, newest_first
from rapport.core.transactions import lines, money
from rapport.core.workflows.stages import effective_workflow
from rapport.errors import invalid, not_found
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal

DEAL_CREATED = "deal.created"
DEAL_UPDATED = "deal.updated"
DEAL_DELETED = "deal.deleted"
DEAL_STAGE_CHANGED = "deal.stage_changed"
PLAIN = ("title", "probability", "expected_close_date")


DealPage: TypeAlias = Page[Deal]


def audited(deal: Deal) -> dict[str, Any]:
    """What the audit log compares and events carry: the editable values and the lines."""
    return {
        **pipeline.snapshot(deal),
        "organization_id": deal.organization_id,
        "lines": lines.audited(deal.lines, deal.currency),
    }


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


async def stage_labels(
    session: AsyncSession, actor: Principal, definitions: Mapping[str, workflows.Workflow]
) -> dict[str, str]:
    """Stage key → label as this tenant named them (its added stages included)."""
    workflow = await effective_workflow(session, actor, definitions, pipeline.NAME)
    return {state.key: state.label for state in workflow.states}


def _set_lines(deal: Deal, given: list[lines.LineIn], currency: str | None) -> None:
    if given and currency is None:
        raise invalid("currency", "required when the deal has lines")
    priced = lines.price("lines", given, currency) if currency is not None else []
    deal.lines = [
        DealLine(
            tenant_id=deal.tenant_id,
            position=i,
            product=line.product,
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


async def create_deal(
    session: AsyncSession,
    actor: Principal,
    data: Mapping[str, Any],
    hooks: TenantHooks,
) -> Deal:
    """A new deal in the pipeline's first stage, owned by ``owner_id`` or the caller."""
    actor.require_writer()
    values = {key: value for key, value in data.items() if value is not None}
    values.setdefault("owner_id", actor.membership_id)
    deal = Deal(
        tenant_id=actor.tenant_id,
        stage=pipeline.PIPELINE.initial,
        created_by=actor.user_id,
        lines=[],
    )
    await _apply(session, actor, deal, values)
    session.add(deal)
    await session.flush()
    await workflows.start(session, actor, pipeline.PIPELINE, pipeline.ENTITY, deal.id)
    snapshot = audited(deal)
    await audit.record(session, actor, audit.CREATE, pipeline.ENTITY, deal.id,
                       audit.diff({}, snapshot))
    await emit(session, actor, hooks, DEAL_CREATED, pipeline.ENTITY, deal.id,
               audit.jsonable({**snapshot, "stage": deal.stage}))
    return deal


async def update_deal(
    session: AsyncSession,
    actor: Principal,
    deal_id: uuid.UUID,
    changes: Mapping[str, Any],
    hooks: TenantHooks,
) -> Deal:
    """Change the fields sent; the stage moves only through ``move_deal``."""
    actor.require_writer()
    deal = await get_deal(session, actor, deal_id)
    before = audited(deal)
    await _apply(session, actor, deal, changes)
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
    """Fire a pipeline transition: 409 when the current stage (or a condition) forbids it."""
    deal = await get_deal(session, actor, deal_id)
    fired = await workflows.fire(
        session, actor, definitions, pipeline.NAME, deal.id, transition, note=note,
        record_fields=pipeline.snapshot(deal),
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


def list_statement(
    tenant_id: uuid.UUID,
    *,
    stage: str | None = None,
    owner_id: uuid.UUID | None = None,
    contact_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = 50,
    unowned: bool = False,
) -> Select[Deal]:
    """The list query, newest first (exposed so tests can EXPLAIN what the endpoint runs).
    ``unowned``: only deals nobody owns (the console's "No owner" column)."""
    query = select(Deal).where(Deal.tenant_id == tenant_id, Deal.deleted_at.is_(None))
    if stage is not None:
        query = query.where(Deal.stage == stage)
    if owner_id is not None:
        query = query.where(Deal.owner_id == owner_id)
    if unowned:
        query = query.where(Deal.owner_id.is_(None))
    if contact_id is not None:
        query = query.where(Deal.contact_id == contact_id)
    return newest_first(query, Deal.id, cursor, limit)


async def list_deals(
    session: AsyncSession,
    actor: Principal,
    *,
    stages: Mapping[str, str],
    stage: str | None = None,
    owner: str | None = None,
    contact_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = 50,
    unowned: bool = False,
) -> DealPage:
    """``owner`` is a member id or ``me``; ``stages`` the tenant's stage labels by key."""
    check_limit(limit)
    if stage is not None and stage not in stages:
        raise invalid("stage", f"must be one of {', '.join(stages)}")
    query = list_statement(
        actor.tenant_id,
        stage=stage,
        owner_id=member_filter("owner", owner, actor),
        contact_id=contact_id,
        cursor=cursor,
        limit=limit,
        unowned=unowned,
    )
    return cut(list((await session.execute(query)).scalars()), limit, by_id)


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
    from rapport.core.workflows.models import StageOverride

    closed = [state.key for state in pipeline.PIPELINE.states if state.terminal]
    tenant_closed = select(StageOverride.key).where(
        StageOverride.tenant_id == tenant_id,
        StageOverride.workflow == pipeline.NAME,
        StageOverride.terminal.is_(True),
    )
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
            Deal.stage.not_in(tenant_closed.scalar_subquery()),
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
