"""The manager's screens: kept-rate and calibration over a period, and contest leaderboards."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from litestar import Request, get
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, Screen
from rapport_plugins.dealership import daily, incentives, reports, staff
from rapport_plugins.dealership.catalogue import settings_of
from rapport_plugins.dealership.members import names
from rapport_plugins.dealership.roles import is_manager, require_manager
from rapport_plugins.dealership.scope import scope_of


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


@get("/reports")
async def report_page(request: Request, principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession]) -> Screen:
    require_manager(principal)
    today = datetime.now(UTC).date()
    start = _day(request.query_params.get("from"), today - timedelta(days=90))
    end = _day(request.query_params.get("to"), today)
    if end < start:
        start, end = end, start
    group = request.query_params.get("group_by")
    group = group if group in reports.GROUPS else "member"
    branch = (await scope_of(db, principal)).branch
    rows = await reports.promise_report(db, principal.tenant_id, group, start, end, branch)
    buckets, members = await reports.calibration(db, principal.tenant_id, start, end, branch)
    ids = ({uuid.UUID(r.key) for r in rows if r.key} if group == "member" else set()) | {
        m.member_id for m in members}
    who = await names(db, principal.tenant_id, ids)
    late = await reports.late_deposits(db, principal.tenant_id, branch)
    settings = await settings_of(db, principal)
    day = await daily.numbers(db, principal.tenant_id, today, settings.currency, branch)
    return Screen("dealership/reports.html", "Promise report", {
        "rows": rows, "buckets": buckets, "members": members, "start": start,
        "labels": {str(k): v for k, v in who.items()},
        "end": end, "late": late, "day": day, "group": group})


async def contests_screen(db: AsyncSession, principal: Principal, *, status: int = 200,
                          failed: str | None = None, errors: dict[str, str] | None = None,
                          values: dict[str, str] | None = None) -> Screen:
    """Each contest's standings and changes, and the quotas with their standing (a
    manager also gets the form to set one)."""
    boards = []
    for contest in await incentives.contests(db, principal):
        standings, changes = await incentives.leaderboard(db, contest)
        boards.append({"contest": contest, "standings": standings, "changes": changes})
    quotas = await incentives.quotas(db, principal, None)
    people = ([(str(p.member_id), p.name) for p in await staff.roster(db, principal)]
              if is_manager(principal) else [])
    who = await names(db, principal.tenant_id, {q.member_id for q in quotas})
    settings = await settings_of(db, principal)
    return Screen("dealership/contests.html", "Leaderboard", {
        "boards": boards, "quotas": quotas, "who": who, "people": people,
        "currency": settings.currency, "errors": errors or {}, "values": values or {},
        "failed": failed, "today": datetime.now(UTC).date()},
        status=status)


@get("/contests")
async def contests_page(principal: NamedDependency[Principal],
                        db: NamedDependency[AsyncSession]) -> Screen:
    return await contests_screen(db, principal)


PAGES = [report_page, contests_page]
