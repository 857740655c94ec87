"""Teams, under Settings → Members (``/settings/members/teams``): the organization's teams
with their lead and members, a new team, a team changed (name, lead, members ticked) or
deleted — through ``rapport.core.teams.service``, so the API's rules hold (a name taken is
refused beside the field, the lead stays a member)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.admin.common import GUARDS, TABS
from rapport.console.forms import field_errors
from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.console.rendering import screen_response
from rapport.core.teams import service
from rapport.errors import RapportError, invalid
from rapport.hooks import Screen
from rapport.tenancy import members
from rapport.tenancy.principal import Principal

PATH = "/settings/members/teams"
TITLE = N_("Teams")
NOTICES = {
    "created": N_("Team %(name)s created."),
    "saved": N_("Team %(name)s saved."),
    "deleted": N_("The team was deleted."),
}
MESSAGES = {
    "exists": N_("another team has this name"),
    "blank": N_("a team needs a name"),
}


async def _context(db: AsyncSession, principal: Principal, **extra: Any) -> dict[str, Any]:
    teams = await service.shown(db, principal, await service.all_teams(db, principal))
    people = [m for m in await members.list_members(db, principal) if not m.pending]
    return {"tabs": TABS, "here": "/settings/members", "teams": teams, "people": people,
            "errors": {}, "failed": None, "typed": {}, "notice": None, **extra}


def _form_values(form: Any) -> tuple[str, uuid.UUID | None, list[uuid.UUID]]:
    def ids(raw: list[Any]) -> list[uuid.UUID]:
        found = []
        for value in raw:
            try:
                found.append(uuid.UUID(str(value)))
            except ValueError:
                continue  # not an option this page offered: ignored like an unticked box
        return found

    lead = ids([form.get("lead_id")]) if form.get("lead_id") else []
    return str(form.get("name", "")).strip(), (lead[0] if lead else None), ids(
        form.getall("member_ids", []))


def _errors(exc: RapportError) -> dict[str, str]:
    if exc.status == 409:
        return {"name": MESSAGES["exists"]}
    found = field_errors(exc)
    if "name" in found:
        found["name"] = MESSAGES["blank"]
    return found


async def _refused(request: Request, db: AsyncSession, principal: Principal, failed: str,
                   exc: RapportError, typed: dict[str, Any]) -> Response[str]:
    if exc.status not in (403, 409, 422):
        raise exc
    context = await _context(db, principal, errors=_errors(exc), failed=failed, typed=typed)
    return screen_response(request, Screen("console/admin/teams.html", TITLE, context,
                                           status=422))


@get(PATH, guards=GUARDS)
async def teams_page(
    principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    done: Annotated[str | None, QueryParameter(max_length=20)] = None,
    name: Annotated[str | None, QueryParameter(max_length=100)] = None,
) -> Screen:
    notice = (NOTICES[done], {"name": name or ""}) if done in NOTICES else None
    return Screen("console/admin/teams.html", TITLE,
                  await _context(db, principal, notice=notice))


@post(PATH, guards=GUARDS, status_code=200)
async def create_team(request: Request, principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession]) -> Response[str]:
    name, lead, picked = _form_values(await request.form())
    if not name:
        return await _refused(request, db, principal, "new",
                              invalid("name", "blank"), {})
    try:
        async with db.begin_nested():
            await service.create_team(db, principal, name, lead, picked)
    except RapportError as exc:
        return await _refused(request, db, principal, "new", exc,
                              {"name": name, "lead_id": lead, "member_ids": picked})
    return redirect(request, f"{PATH}?{urlencode({'done': 'created', 'name': name})}")


@post(PATH + "/{team_id:uuid}", guards=GUARDS, status_code=200)
async def change_team(request: Request, team_id: FromPath[uuid.UUID],
                      principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession]) -> Response[str]:
    await service.get_team(db, principal, team_id)  # 404 outside the tenant
    name, lead, picked = _form_values(await request.form())
    typed = {"name": name, "lead_id": lead, "member_ids": picked}
    if not name:
        return await _refused(request, db, principal, str(team_id),
                              invalid("name", "blank"), typed)
    try:
        async with db.begin_nested():
            await service.update_team(db, principal, team_id,
                                      {"name": name, "lead_id": lead, "member_ids": picked})
    except RapportError as exc:
        return await _refused(request, db, principal, str(team_id), exc, typed)
    return redirect(request, f"{PATH}?{urlencode({'done': 'saved', 'name': name})}")


@post(PATH + "/{team_id:uuid}/delete", guards=GUARDS, status_code=200)
async def delete_team(request: Request, team_id: FromPath[uuid.UUID],
                      principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession]) -> Response[str]:
    await service.delete_team(db, principal, team_id)
    return redirect(request, f"{PATH}?done=deleted")


PAGES = [teams_page, create_team, change_team, delete_team]
