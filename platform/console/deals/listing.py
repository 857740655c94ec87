"""The deals of one pipeline as a list (the same switcher as the board): newest first,
filtered by stage or to my own, "Show more" as an htmx swap of the next rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.deals.stages import chosen, pipeline_of
from rapport.console.pickers import contact_names, member_names
from rapport.core.deals import service as deals
from rapport.core.fields.sorting import MAX_CURSOR
from rapport.hooks import Fragment, Screen
from rapport.tenancy.principal import Principal

PAGE = 25


@get("/deals/list")
async def deal_list(
    request: Request,
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    workflow_definitions: NamedDependency[Mapping[str, Any]],
    stage: Annotated[str | None, QueryParameter(max_length=64)] = None,
    mine: Annotated[bool, QueryParameter()] = False,
    cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
    pipeline: Annotated[str | None, QueryParameter(max_length=40)] = None,
) -> Screen | Fragment:
    shown, every = await chosen(db, principal, pipeline)
    workflow = await pipeline_of(db, principal, workflow_definitions, shown.key)
    labels = {s.key: s.label for s in workflow.states}
    stage = stage if stage in labels else None
    page = await deals.list_deals(db, principal, stages={shown.key: labels}, stage=stage,
                                  pipeline_key=shown.key, owner="me" if mine else None,
                                  cursor=cursor, limit=PAGE)
    context = {
        "deals": page.items, "next_cursor": page.next_cursor, "labels": labels,
        "stage": stage or "", "mine": mine, "shown": shown, "pipelines": every,
        "here": "/deals/list",
        "customers": await contact_names(db, principal, (d.contact_id for d in page.items)),
        "owners": await member_names(db, principal),
    }
    if cursor is not None and request.headers.get("hx-request") == "true":
        return Fragment("console/deals/rows.html", context)
    if request.headers.get("hx-target") == "deal-results":
        return Fragment("console/deals/results.html", context)
    return Screen("console/deals/list.html", "Deals", context)
