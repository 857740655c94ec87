"""The trash screen over ``rapport.core.trash.service`` (the API's service, so isolation
and permissions are the API's): the list with cursor paging, restore, purge now."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.core.fields.sorting import MAX_CURSOR
from rapport.core.trash import service as trash
from rapport.errors import RapportError
from rapport.hooks import Fragment, Screen, TenantHooks
from rapport.tenancy.members import list_members
from rapport.tenancy.principal import Principal

PAGE = 25
Kind = Literal["contacts", "deals", "organizations"]
KINDS = {"contacts": N_("Contact"), "deals": N_("Deal"), "organizations": N_("Organization")}
LINKS = {"contacts": "/contacts/{}", "deals": "/deals/{}", "organizations": "/organizations/{}"}
TAKEN = N_("It cannot be restored: another record now has its e-mail address or external id.")


async def _deleters(db: AsyncSession, principal: Principal) -> dict[uuid.UUID, str]:
    return {m.user.id: m.display_name or m.user.email
            for m in await list_members(db, principal)}


async def _screen(request: Request, principal: Principal, db: AsyncSession,
                  cursor: str | None, error: str | None = None, status: int = 200) -> Any:
    page = await trash.list_trash(db, principal, cursor=cursor, limit=PAGE)
    context = {"items": page.items, "next_cursor": page.next_cursor, "kinds": KINDS,
               "links": LINKS, "deleters": await _deleters(db, principal), "error": error,
               "days": trash.retention_days()}
    if cursor is not None and request.headers.get("hx-request") == "true":
        return Fragment("console/trash/rows.html", context)
    return Screen("console/trash/list.html", "Trash", context, status=status)


@get("/trash")
async def trash_list(
    request: Request,
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
) -> Screen | Fragment:
    return await _screen(request, principal, db, cursor)


@post("/trash/{kind:str}/{record_id:uuid}/restore", status_code=200)
async def restore_record(
    request: Request,
    kind: FromPath[Kind],
    record_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    hooks: NamedDependency[TenantHooks],
) -> Any:
    try:
        async with db.begin_nested():
            await trash.restore(db, principal, kind, record_id, hooks)
    except RapportError as exc:
        if exc.status != 409:
            raise
        return await _screen(request, principal, db, None, error=TAKEN, status=409)
    return redirect(request, "/trash")


@post("/trash/{kind:str}/{record_id:uuid}/purge", status_code=200)
async def purge_record(
    request: Request,
    kind: FromPath[Kind],
    record_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    hooks: NamedDependency[TenantHooks],
) -> Any:
    await trash.purge(db, principal, kind, record_id, hooks)
    return redirect(request, "/trash")
