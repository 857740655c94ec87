"""Boards and grouped lists on any single-choice field: ``/boards/contacts?by=owner``,
``/boards/contacts?by=custom.segment&layout=list``, ``/boards/deals?by=owner``. Each card
carries a "Move to…" control (WCAG 2.5.7; dragging only fills it in, ``static/board.js``,
the deal board's script); a move is the API's PATCH through the same service and struct,
so its rules, the writer role and the tenant are the API's. Grouping deals by stage is the
pipeline board (``/deals``), whose moves go through the workflow engine."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.boards.groupings import (
    ENTITIES,
    NONE,
    OWNER,
    STAGE,
    Grouping,
    choices,
    entity_fields,
    grouping,
)
from rapport.console.forms import field_errors
from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.core.contacts import service as contacts
from rapport.core.contacts.controllers import write_options
from rapport.core.contacts.listing import list_contacts
from rapport.core.contacts.schemas import ContactPatch
from rapport.core.deals import service as deals
from rapport.core.deals.schemas import DealPatch
from rapport.core.fields.definitions import FieldDefinition
from rapport.errors import FieldError, RapportError, invalid_many
from rapport.hooks import Fragment, Screen, TenantHooks
from rapport.tenancy.principal import Principal

COLUMN = 20
LAYOUTS = ("board", "list")


def _checked(body: dict[str, Any], into: type[msgspec.Struct]) -> dict[str, Any]:
    """The API's own reading of the PATCH body (its types and rules)."""
    try:
        patch: Any = msgspec.convert(body, into, strict=False)
    except msgspec.ValidationError as exc:
        raise invalid_many([FieldError("value", str(exc).split(" - at ")[0])]) from exc
    return dict(patch.changes())


async def _cards(
    db: AsyncSession, principal: Principal, g: Grouping, value: str,
    definitions: Sequence[FieldDefinition], stages: deals.Labels,
) -> tuple[list[dict[str, Any]], bool]:
    """A column's first cards (id, name, link, where it can go) and whether there are more."""
    targets = [c for c in g.columns if c.value != value] if principal.can_write else []
    items: list[dict[str, Any]]
    if g.entity == "contacts":
        page = await list_contacts(db, principal, definitions, cursor=None, limit=COLUMN,
                                   filters=[g.contact_filter(value)])
        items = [{"id": c.id, "name": c.display_name, "href": f"/contacts/{c.id}",
                  "amount": None} for c in page.items]
        more = page.next_cursor is not None
    elif g.key == OWNER:
        found = await deals.list_deals(db, principal, stages=stages, limit=COLUMN,
                                       owner=value or None, unowned=value == NONE)
    else:
        found = await deals.list_deals(db, principal, stages=stages, limit=COLUMN,
                                       definitions=definitions,
                                       filters=[g.contact_filter(value)])
    if g.entity == "deals":
        items = [{"id": d.id, "name": d.title, "href": f"/deals/{d.id}",
                  "amount": (d.amount, d.currency) if d.amount is not None else None}
                 for d in found.items]
        more = found.next_cursor is not None
    for item in items:
        item["targets"] = targets
    return items, more


def _more_link(g: Grouping, value: str) -> str | None:
    """Where a column's every record is listed (the list screens' own filters); the deal
    list filters by owner (and stage) only, so a deal field's column links nowhere."""
    if g.entity == "contacts":
        return "/contacts?" + urlencode({"filter": g.contact_filter(value)})
    if g.key == OWNER and value:
        return "/deals/list?" + urlencode({"owner": value})
    return None


async def board_context(
    db: AsyncSession, principal: Principal, plugin_fields: Sequence[FieldDefinition],
    definitions_wf: Mapping[str, Any], entity: str, by: str, layout: str, **extra: Any,
) -> dict[str, Any]:
    definitions = await entity_fields(db, principal, plugin_fields, entity)
    g = await grouping(db, principal, entity, by, definitions)
    stages = (await deals.stage_labels(db, principal, definitions_wf)
              if entity == "deals" else {})
    columns = []
    moved = extra.pop("moved", None)
    moved_card = moved_column = None
    for column in g.columns:
        cards, more = await _cards(db, principal, g, column.value, definitions, stages)
        columns.append({"column": column, "cards": cards,
                        "more": _more_link(g, column.value) if more else None})
        for card in cards:
            if card["id"] == moved:
                moved_card, moved_column = card, column
    return {"entity": entity, "entity_label": ENTITIES[entity], "by": by, "grouping": g,
            "layout": layout, "columns": columns, "moved": moved, "moved_card": moved_card,
            "moved_column": moved_column, "refused": None,
            "choices": await choices(db, principal, entity, definitions), **extra}


@get("/boards/{entity:str}")
async def board(
    request: Request,
    entity: FromPath[str],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    workflow_definitions: NamedDependency[Mapping[str, Any]],
    by: Annotated[str, QueryParameter(max_length=200)] = OWNER,
    layout: Annotated[str, QueryParameter(max_length=10)] = "board",
    moved: Annotated[uuid.UUID | None, QueryParameter()] = None,
) -> Any:
    """The board (``layout=board``) or the grouped list (``layout=list``) of ``entity``
    grouped by ``by``."""
    if entity == "deals" and by == STAGE:
        return redirect(request, "/deals")
    if layout not in LAYOUTS:
        raise invalid_many([FieldError("layout", "must be board or list")])
    context = await board_context(db, principal, plugin_fields, workflow_definitions,
                                  entity, by, layout, moved=moved)
    return Screen("console/boards/board.html", N_("Group by"), context)


@post("/boards/{entity:str}/{record_id:uuid}/move", status_code=200)
async def move(
    request: Request,
    entity: FromPath[str],
    record_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    workflow_definitions: NamedDependency[Mapping[str, Any]],
    hooks: NamedDependency[TenantHooks],
) -> Any:
    """Put a record into the posted column (``by``, ``value``) with the API's PATCH. From
    htmx the answer is the board again with the card focused and the move (or the refusal)
    announced; without script a redirect back (or the page with the refusal, 409/422)."""
    form = await request.form()
    by, value = str(form.get("by", ""))[:200], str(form.get("value", ""))[:200]
    layout = str(form.get("layout", "board"))
    layout = layout if layout in LAYOUTS else "board"
    definitions = await entity_fields(db, principal, plugin_fields, entity)
    g = await grouping(db, principal, entity, by, definitions)
    refused: str | None = None
    status = 200
    try:
        async with db.begin_nested():
            if entity == "contacts":
                await contacts.get_record(db, principal, record_id)  # 404 outside the tenant
                changes = _checked(g.body(value), ContactPatch)
                await contacts.update_contact(db, principal, record_id, changes, definitions,
                                              hooks, write_options(None, None))
            else:
                await deals.get_deal(db, principal, record_id)
                await deals.update_deal(db, principal, record_id,
                                        _checked(g.body(value), DealPatch), hooks, definitions)
    except RapportError as exc:
        if exc.status == 404:
            raise
        refused = next(iter(field_errors(exc).values()))
        status = exc.status
    htmx = request.headers.get("hx-request") == "true"
    if refused is None and not htmx:
        query = urlencode({"by": by, "layout": layout, "moved": record_id})
        return redirect(request, f"/boards/{entity}?{query}")
    context = await board_context(db, principal, plugin_fields, workflow_definitions, entity,
                                  by, layout, moved=record_id, refused=refused)
    if htmx:
        return Fragment("console/boards/board_body.html", context)
    return Screen("console/boards/board.html", N_("Group by"), context, status=status)


PAGES = [board, move]
