"""``/reports/members``: each member's activity against results over a chosen period, read
through ``rapport.core.reports.members`` (the API's own service, so the rules are the API's:
owners and admins see everyone, others their own row). A bad date is shown beside its field
with what was typed, and the page answers 422."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.i18n import N_
from rapport.core.reports.members import measures_for, members_report, period
from rapport.core.reports.teams import by_team
from rapport.errors import RapportError
from rapport.hooks import PluginRegistry, Screen
from rapport.tenancy.principal import Principal

TITLE = N_("Members' results")
MESSAGES = {
    "must be on or before to": N_("must be on or before the last day"),
    "the period is at most three years": N_("the period is at most three years"),
}


@get("/reports/members")
async def members_page(
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    registry: NamedDependency[PluginRegistry],
    since: Annotated[str | None, QueryParameter(name="from")] = None,
    until: Annotated[str | None, QueryParameter(name="to")] = None,
    group: Annotated[str | None, QueryParameter(max_length=20)] = None,
) -> Screen:
    typed = {"from": since or "", "to": until or ""}
    # Per team (the members' figures summed per team, GET /api/v1/teams), or per member.
    grouping = "team" if group == "team" else "member"
    try:
        period(since, until)
    except RapportError as exc:
        errors = {e.field: MESSAGES.get(e.message, N_("not a date (YYYY-MM-DD)"))
                  for e in exc.errors}
        return Screen("console/reports/members.html", TITLE,
                      {"report": None, "typed": typed, "errors": errors, "group": grouping},
                      status=422)
    report = await members_report(db, principal, measures_for(registry, principal),
                                  since=since, until=until)
    if grouping == "team":
        await by_team(db, principal, report)
    return Screen("console/reports/members.html", TITLE, {
        "report": report, "typed": {"from": report.since, "to": report.until}, "errors": {},
        "group": grouping,
    })


PAGES = [members_page]
