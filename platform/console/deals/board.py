"""The deals board: one pipeline at a time (a switcher names the organization's
pipelines, ``?pipeline=<key>``), one column per stage of it (the tenant's stages included),
cards moved by dragging or by each card's "Move to stage…" control — both post the same
form, answered through the API's move service — and "Show more" per column."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.deals.record import deal_screen
from rapport.console.deals.stages import Refused, chosen, move_to_stage, pipeline_of, targets
from rapport.console.guards import redirect
from rapport.console.pickers import contact_names
from rapport.core.deals import service as deals
from rapport.core.deals.models import Deal
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.sorting import MAX_CURSOR
from rapport.core.workflows import Workflow
from rapport.hooks import Fragment, Screen, TenantHooks
from rapport.tenancy.principal import Principal

COLUMN = 20


async def cards(
    db: AsyncSession, principal: Principal, workflow: Workflow, items: Sequence[Deal]
) -> list[dict[str, Any]]:
    """What a card shows: the deal, its customer's name, where it can be moved."""
    names = await contact_names(db, principal, (d.contact_id for d in items))
    return [
        {"deal": d, "customer": names.get(d.contact_id) if d.contact_id else None,
         "targets": targets(workflow, d.stage) if principal.can_write else []}
        for d in items
    ]


async def columns(
    db: AsyncSession, principal: Principal, workflow: Workflow, pipeline_key: str
) -> list[dict[str, Any]]:
    labels = {pipeline_key: {s.key: s.label for s in workflow.states}}
    out = []
    for state in workflow.states:
        page = await deals.list_deals(db, principal, stages=labels, stage=state.key,
                                      pipeline_key=pipeline_key, limit=COLUMN)
        out.append({"key": state.key, "label": state.label, "terminal": state.terminal,
                    "cards": await cards(db, principal, workflow, page.items),
                    "next_cursor": page.next_cursor})
    return out


async def board_context(
    db: AsyncSession, principal: Principal, definitions: Mapping[str, Any], **extra: Any
) -> dict[str, Any]:
    """``moved``: the deal just moved (or refused), whose card is focused and named;
    ``pipeline``: the key of the pipeline shown."""
    shown, every = await chosen(db, principal, extra.pop("pipeline", None))
    workflow = await pipeline_of(db, principal, definitions, shown.key)
    board = await columns(db, principal, workflow, shown.key)
    moved = extra.pop("moved", None)
    found = next(((card, column) for column in board for card in column["cards"]
                  if card["deal"].id == moved), None)
    return {"pipeline": workflow, "shown": shown, "pipelines": every,
            "columns": board, "moved": moved, "refused": None,
            "moved_card": found[0] if found else None,
            "moved_stage": found[1]["label"] if found else None, **extra}


@get("/deals")
async def deal_board(
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    workflow_definitions: NamedDependency[Mapping[str, Any]],
    moved: Annotated[uuid.UUID | None, QueryParameter()] = None,
    pipeline: Annotated[str | None, QueryParameter(max_length=40)] = None,
) -> Screen:
    return Screen("console/deals/board.html", "Deals",
                  await board_context(db, principal, workflow_definitions, moved=moved,
                                      pipeline=pipeline))


@get("/deals/stage/{stage:str}")
async def more_cards(
    stage: FromPath[str],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    workflow_definitions: NamedDependency[Mapping[str, Any]],
    cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
    pipeline: Annotated[str | None, QueryParameter(max_length=40)] = None,
) -> Fragment:
    """The next cards of one column ("Show more") of the pipeline ``pipeline``."""
    shown, _ = await chosen(db, principal, pipeline)
    workflow = await pipeline_of(db, principal, workflow_definitions, shown.key)
    labels = {s.key: s.label for s in workflow.states}
    page = await deals.list_deals(db, principal, stages={shown.key: labels}, stage=stage,
                                  pipeline_key=shown.key, cursor=cursor, limit=COLUMN)
    column = {"key": stage, "label": labels.get(stage, stage), "more": True,
              "cards": await cards(db, principal, workflow, page.items),
              "next_cursor": page.next_cursor}
    return Fragment("console/deals/cards.html", {"column": column, "moved": None,
                                                 "shown": shown})


@post("/deals/{deal_id:uuid}/move", status_code=200)
async def move_deal(
    request: Request,
    deal_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    hooks: NamedDependency[TenantHooks],
    workflow_definitions: NamedDependency[Mapping[str, Any]],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
) -> Any:
    """Move a deal to the posted ``stage``. From the board (htmx) the answer is the board
    again, the moved card focused and the move (or the refusal) announced; from the deal
    page or without script, a redirect back, or the page again with the refusal."""
    form = await request.form()
    stage, back = str(form.get("stage", "")), str(form.get("back", ""))
    htmx = request.headers.get("hx-request") == "true"
    try:
        moved = await move_to_stage(db, principal, workflow_definitions, hooks, deal_id, stage)
    except Refused as refused:
        if back == "deal":
            return await deal_screen(db, principal, workflow_definitions, deal_id,
                                     plugin_fields=plugin_fields, refused=refused,
                                     status=409)
        deal = await deals.get_deal(db, principal, deal_id)
        context = await board_context(db, principal, workflow_definitions, refused=refused,
                                      moved=deal_id, pipeline=deal.pipeline)
        if htmx:
            return Fragment("console/deals/board_body.html", context)
        return Screen("console/deals/board.html", "Deals", context, status=409)
    if back == "deal":
        return redirect(request, f"/deals/{deal_id}?moved=true")
    if not htmx:
        return redirect(request, f"/deals?pipeline={moved.pipeline}&moved={deal_id}")
    return Fragment("console/deals/board_body.html",
                    await board_context(db, principal, workflow_definitions, moved=deal_id,
                                        pipeline=moved.pipeline))
