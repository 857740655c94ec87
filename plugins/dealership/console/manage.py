"""Managers' screens: marketing messages (compose, and what became of each), the branches
of the staff, and quotas and contests (created, ended) on the leaderboard page."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, RapportError, Screen, TenantHooks
from rapport_plugins.dealership import incentives, marketing, staff
from rapport_plugins.dealership.console.forms import (
    attempt,
    errors_of,
    go,
    minor,
    parse,
    posted,
)
from rapport_plugins.dealership.console.reports import contests_screen
from rapport_plugins.dealership.roles import require_manager
from rapport_plugins.dealership.schemas import CampaignIn, ContestIn, QuotaIn, StaffIn

BASE = "/apps/dealership"


async def _marketing_page(db: AsyncSession, principal: Principal, *, status: int = 200,
                          errors: dict[str, str] | None = None,
                          values: dict[str, Any] | None = None) -> Screen:
    return Screen("dealership/marketing.html", "Marketing", {
        "campaigns": await marketing.campaigns(db, principal), "errors": errors or {},
        "values": values or {}}, status=status)


@get("/marketing")
async def marketing_page(principal: NamedDependency[Principal],
                         db: NamedDependency[AsyncSession]) -> Screen:
    return await _marketing_page(db, principal)


@post("/marketing", status_code=200)
async def send(request: Request, principal: NamedDependency[Principal],
               db: NamedDependency[AsyncSession],
               hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)
    try:
        data = parse(form, CampaignIn)
        await attempt(db, lambda: marketing.send(db, principal, hooks, data))
    except RapportError as exc:
        if exc.status not in (403, 422):
            raise
        return await _marketing_page(db, principal, status=exc.status, errors=errors_of(exc),
                                     values=form)
    return go(request, f"{BASE}/marketing")


async def _staff_page(db: AsyncSession, principal: Principal, *, status: int = 200,
                      errors: dict[str, str] | None = None) -> Screen:
    return Screen("dealership/staff.html", "Branches", {
        "people": await staff.roster(db, principal), "errors": errors or {}}, status=status)


@get("/staff")
async def staff_page(principal: NamedDependency[Principal],
                     db: NamedDependency[AsyncSession]) -> Screen:
    return await _staff_page(db, principal)


@post("/staff/{member_id:uuid}", status_code=200)
async def assign(request: Request, member_id: FromPath[uuid.UUID],
                 principal: NamedDependency[Principal],
                 db: NamedDependency[AsyncSession]) -> Screen | Response[Any]:
    form = await posted(request)
    try:
        data = parse({"branch": form.get("branch") or None}, StaffIn)
        await attempt(db, lambda: staff.assign(db, principal, member_id, data.branch))
    except RapportError as exc:
        if exc.status not in (403, 404, 422):
            raise
        return await _staff_page(db, principal, status=exc.status, errors=errors_of(exc))
    return go(request, f"{BASE}/staff")


@post("/quotas", status_code=200)
async def add_quota(request: Request, principal: NamedDependency[Principal],
                    db: NamedDependency[AsyncSession],
                    hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)
    try:
        require_manager(principal)
        bonus = minor(form.get("bonus")) or 0
        data = parse({**{k: form.get(k) for k in ("member_id", "period_start", "period_end",
                                                   "units", "currency")},
                      "bonus_per_unit_minor": bonus}, QuotaIn)
        await attempt(db, lambda: incentives.add_quota(db, principal, hooks, data))
    except RapportError as exc:
        if exc.status not in (403, 409, 422):
            raise
        return await contests_screen(db, principal, status=exc.status, failed="quota",
                                     errors=errors_of(exc), values=form)
    return go(request, f"{BASE}/contests")


@post("/contests", status_code=200)
async def add_contest(request: Request, principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession],
                      hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    """A sales contest: a period, a measure, prizes one a line and (optionally) a branch."""
    form = await posted(request)
    try:
        prizes = [p.strip() for p in str(form.get("ct_prizes", "")).splitlines() if p.strip()]
        data = parse({**{k: form.get("ct_" + k) for k in ("name", "starts_on", "ends_on",
                                                          "measure", "branch")},
                      "prizes": prizes}, ContestIn)
        await attempt(db, lambda: incentives.add_contest(db, principal, hooks, data))
    except RapportError as exc:
        if exc.status not in (403, 409, 422):
            raise
        return await contests_screen(db, principal, status=exc.status, failed="contest",
                                     errors={("ct_" + k if k != "form" else k): m
                                             for k, m in errors_of(exc).items()},
                                     values=form)
    return go(request, f"{BASE}/contests")


@post("/contests/{contest_id:uuid}/end", status_code=200)
async def end_contest(request: Request, contest_id: FromPath[uuid.UUID],
                      principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                      hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    try:
        await attempt(db, lambda: incentives.end_contest(db, principal, hooks, contest_id))
    except RapportError as exc:
        if exc.status not in (403, 404, 409):
            raise
        return await contests_screen(db, principal, status=exc.status,
                                     failed=f"end-{contest_id}", errors=errors_of(exc))
    return go(request, f"{BASE}/contests")


PAGES = [marketing_page, send, staff_page, assign, add_quota, add_contest, end_contest]
