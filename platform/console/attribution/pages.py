"""The attribution report over ``rapport.core.attribution.report``: a period, a model and a
window chosen in a GET form; the credit per channel and per campaign."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.i18n import N_
from rapport.core.attribution.report import attribution
from rapport.errors import RapportError
from rapport.hooks import Screen
from rapport.tenancy.principal import Principal

TITLE = N_("Attribution")
MODELS = {"last_touch": N_("Last touch"), "first_touch": N_("First touch"),
          "linear": N_("Linear"), "time_decay": N_("Time decay")}


def _day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


@get("/attribution")
async def attribution_page(request: Request, principal: NamedDependency[Principal],
                           db: NamedDependency[AsyncSession]) -> Screen:
    today = datetime.now(UTC).date()
    q = request.query_params
    start = _day(q.get("from"), today - timedelta(days=30))
    stop = _day(q.get("to"), today)
    model = q.get("model") if q.get("model") in MODELS else "last_touch"
    try:
        window = min(max(int(q.get("window") or 30), 1), 365)
    except ValueError:
        window = 30
    values: dict[str, Any] = {"from": start.isoformat(), "to": stop.isoformat(),
                              "model": model, "window": window}
    error, found = None, None
    try:
        found = await attribution(
            db, principal.tenant_id, datetime.combine(start, time(), UTC),
            datetime.combine(stop + timedelta(days=1), time(), UTC), model, window)  # type: ignore[arg-type]
    except RapportError as exc:
        error = exc.detail
    return Screen("attribution_console/report.html", TITLE, {
        "values": values, "models": MODELS, "found": found, "error": error})


PAGES = [attribution_page]
