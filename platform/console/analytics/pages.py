"""``/analytics``: the tenant's analysis over ``rapport.core.analytics.service`` (the API's
own reads, so permissions are the API's) and a recompute button for owners and admins
(``jobs.start``, the same as ``POST /api/v1/analytics/recompute``; the worker runs it)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.analytics.charts import bars
from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.core.analytics import jobs, service
from rapport.core.analytics.classes import ABC, RFM_CELLS, XYZ
from rapport.errors import RapportError
from rapport.hooks import Screen
from rapport.tenancy.principal import Principal

TITLE = N_("Analysis")
CELL_NAMES = {
    "champions": N_("Champions"), "loyal": N_("Loyal"),
    "potential_loyalists": N_("Potential loyalists"), "new_customers": N_("New customers"),
    "promising": N_("Promising"), "need_attention": N_("Need attention"),
    "about_to_sleep": N_("About to sleep"), "cannot_lose": N_("Cannot lose"),
    "at_risk": N_("At risk"), "hibernating": N_("Hibernating"), "lost": N_("Lost"),
}


async def _screen(db: AsyncSession, principal: Principal, error: str | None = None,
                  status: int = 200) -> Screen:
    found = await service.summary(db, principal)
    running = await jobs.unfinished(db, principal.tenant_id)
    rfm = found["counts"]["rfm"]
    clv = found["clv"]
    return Screen("analytics_console/dashboard.html", TITLE, {
        "summary": found, "abc": ABC, "xyz": XYZ, "running": running, "error": error,
        "cells": [(cell, CELL_NAMES[cell], rfm[cell]) for cell in RFM_CELLS],
        "rfm_chart": bars([(CELL_NAMES[c], rfm[c]) for c in RFM_CELLS]),
        "clv_chart": bars([(f"{b['from']}-{b['to']}", b["count"]) for b in clv["histogram"]]),
        "can_manage": principal.can_manage,
    }, status=status)


@get("/analytics")
async def dashboard(principal: NamedDependency[Principal],
                    db: NamedDependency[AsyncSession]) -> Screen:
    return await _screen(db, principal)


@post("/analytics/recompute", status_code=200)
async def recompute(request: Request, principal: NamedDependency[Principal],
                    db: NamedDependency[AsyncSession]) -> Any:
    principal.require_manager()
    try:
        async with db.begin_nested():
            await jobs.start(db, principal, {})
    except RapportError as exc:
        if exc.status == 403:
            raise
        return await _screen(db, principal, error=exc.detail, status=exc.status)
    return redirect(request, "/analytics")


PAGES = [dashboard, recompute]
