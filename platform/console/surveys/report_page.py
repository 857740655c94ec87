"""The survey report screen over ``rapport.core.surveys.report``: a period and a grouping in
a GET form; the per-dimension gaps as a server-rendered SVG bar chart (an image with a
title and description; the same numbers in the table beside it), the chosen grouping's
table (with the response rate per service point, employee or month), the weighted score,
the response rate, and the CSV."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.chrome import chrome_of
from rapport.console.i18n import N_
from rapport.core.surveys import surveys
from rapport.core.surveys.instrument import SCALE_MAX, SCALE_MIN
from rapport.core.surveys.report import GROUPS, RATE_GROUPS, Report, Row, survey_report
from rapport.errors import RapportError
from rapport.hooks import Screen
from rapport.tenancy.principal import Principal

GROUP_NAMES = {"dimension": N_("Dimension"), "item": N_("Item"),
               "service_point": N_("Service point"), "employee": N_("Employee"),
               "month": N_("Month")}
WIDTH, BAR, GAP, LABEL = 640, 28, 12, 200
LIMIT = SCALE_MAX - SCALE_MIN  # the largest gap either way


@dataclass(frozen=True)
class Bar:
    label: str
    gap: float
    x: float
    y: float
    width: float
    negative: bool


def bars(rows: list[Row]) -> tuple[list[Bar], float, float]:
    """Horizontal bars from a zero line in the middle of the plot (-6 .. 6); the chart's
    height and where the zero line is."""
    plot = WIDTH - LABEL - 20
    zero = LABEL + plot / 2
    scale = (plot / 2) / LIMIT
    out = []
    gaps = [(row.label, row.gap) for row in rows if row.gap is not None]
    for n, (label, gap) in enumerate(gaps):
        length = abs(gap) * scale
        x = zero - length if gap < 0 else zero
        out.append(Bar(label, gap, x, GAP + n * (BAR + GAP), max(length, 1.0), gap < 0))
    return out, GAP + len(gaps) * (BAR + GAP), zero


@get("/surveys/{survey_id:uuid}/report")
async def report_page(request: Request, survey_id: FromPath[uuid.UUID],
                      principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession]) -> Screen:
    survey = await surveys.get_survey(db, principal, survey_id)
    q = request.query_params
    group = str(q.get("group")) if q.get("group") in GROUPS else "dimension"
    lang = chrome_of(request).lang.code
    values: dict[str, Any] = {"from": q.get("from") or "", "to": q.get("to") or "",
                              "group": group}
    error, found, by_dimension = None, None, None
    try:
        found = await survey_report(db, principal, survey_id, group=group,
                                    start=values["from"] or None, end=values["to"] or None,
                                    language=lang)
        by_dimension = found if group == "dimension" else await survey_report(
            db, principal, survey_id, group="dimension", start=values["from"] or None,
            end=values["to"] or None, language=lang)
    except RapportError as exc:
        error = exc.detail
    chart: tuple[list[Bar], float, float] | None = None
    if by_dimension is not None and by_dimension.rows:
        chart = bars(by_dimension.rows)
    return Screen("surveys_console/report.html", survey.name, {
        "survey": survey, "values": values, "groups": GROUP_NAMES, "found": found,
        "dimensions": by_dimension, "chart": chart, "error": error, "width": WIDTH,
        "label_x": LABEL - 8, "export": _export(survey_id, found),
        "rated": group in RATE_GROUPS})


def _export(survey_id: uuid.UUID, found: Report | None) -> str | None:
    if found is None:
        return None
    return (f"/api/v1/surveys/{survey_id}/report/export?group={found.group}"
            f"&from={found.start}&to={found.end}")


REPORT_PAGES = [report_page]
