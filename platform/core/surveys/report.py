"""The survey report: per group (dimension, item, service point, employee or month) the
mean expectation, perception and gap (perception - expectation) over every answer of the
period's responses, with the counts of responses and answers — one grouped statement —
and overall the means and the weighted SERVQUAL score (docs/surveys.md, the gap maths)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.surveys.models import Survey, SurveyAnswer, SurveyResponse
from rapport.core.surveys.scoring import shares, weighted
from rapport.core.surveys.surveys import dimension_name, get_survey
from rapport.errors import invalid
from rapport.tenancy.models import Membership, User
from rapport.tenancy.principal import Principal

GROUPS = ("dimension", "item", "service_point", "employee", "month")
DEFAULT_DAYS = 365
NO_SERVICE_POINT = "—"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    responses: int
    answers: int
    expectation: float
    perception: float
    gap: float


@dataclass(frozen=True)
class Report:
    survey_id: uuid.UUID
    group: str
    start: date
    end: date
    responses: int = 0
    expectation: float | None = None
    perception: float | None = None
    gap: float | None = None
    weighted_gap: float | None = None
    weights: dict[str, int] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)


def period(start: str | None, end: str | None) -> tuple[date, date]:
    """Days, both included (UTC); 422 naming ``from`` or ``to``."""
    def day(name: str, text: str | None, default: date) -> date:
        if text is None:
            return default
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise invalid(name, "must be a day, YYYY-MM-DD") from None
    stop = day("to", end, datetime.now(UTC).date())
    first = day("from", start, stop - timedelta(days=DEFAULT_DAYS - 1))
    if first > stop:
        raise invalid("to", "the period ends before it starts")
    if stop.year > 9998:
        raise invalid("to", "must be a day before 9999")
    return first, stop


def _key(group: str) -> Any:
    r, a = SurveyResponse, SurveyAnswer
    return {
        "dimension": a.dimension,
        "item": a.item_key,
        "service_point": func.coalesce(r.service_point, ""),
        "employee": func.coalesce(cast(r.employee_id, String), ""),
        "month": func.to_char(func.date_trunc("month", func.timezone("UTC", r.submitted_at)),
                              "YYYY-MM"),
    }[group]


async def _labels(session: AsyncSession, actor: Principal, survey: Survey, group: str,
                  keys: list[str], language: str) -> dict[str, str]:
    if group == "dimension":
        return {k: dimension_name(k, language) for k in keys}
    if group == "item":
        texts = {i["key"]: i["text"].get(language) or next(iter(i["text"].values()))
                 for i in survey.items}
        return {k: texts.get(k, k) for k in keys}
    if group == "employee":
        ids = [uuid.UUID(k) for k in keys if k]
        names = dict((await session.execute(select(Membership.id, User.full_name).join(
            User, User.id == Membership.user_id).where(
            Membership.tenant_id == actor.tenant_id, Membership.id.in_(ids)))).all()) \
            if ids else {}
        return {k: str(names.get(uuid.UUID(k), k)) if k else NO_SERVICE_POINT for k in keys}
    if group == "service_point":
        return {k: k or NO_SERVICE_POINT for k in keys}
    return {k: k for k in keys}


def _order(group: str, survey: Survey) -> Any:
    if group == "item":
        position = {i["key"]: n for n, i in enumerate(survey.items)}
        return lambda row: (position.get(row.key, len(position)), row.key)
    if group == "dimension":
        seen: dict[str, int] = {}
        for i in survey.items:
            seen.setdefault(i["dimension"], len(seen))
        return lambda row: (seen.get(row.key, len(seen)), row.key)
    return lambda row: row.key


async def survey_report(session: AsyncSession, actor: Principal, survey_id: uuid.UUID, *,
                        group: str, start: str | None, end: str | None,
                        language: str | None = None) -> Report:
    survey = await get_survey(session, actor, survey_id)
    if group not in GROUPS:
        raise invalid("group", f"one of {', '.join(GROUPS)}")
    first, stop = period(start, end)
    lang = language if language in survey.languages else survey.languages[0]
    r, a = SurveyResponse, SurveyAnswer
    within = (r.tenant_id == actor.tenant_id, r.survey_id == survey.id,
              r.submitted_at >= datetime.combine(first, time(), UTC),
              r.submitted_at < datetime.combine(stop + timedelta(days=1), time(), UTC))
    joined = select().select_from(a).join(r, (r.tenant_id == a.tenant_id)
                                          & (r.id == a.response_id)).where(*within)
    gap = func.avg(a.perception - a.expectation)
    key = _key(group)
    rows = (await session.execute(joined.add_columns(
        key.label("key"), func.count(func.distinct(r.id)), func.count(),
        func.avg(a.expectation), func.avg(a.perception), gap).group_by(key))).all()
    dims: dict[str, Any] = dict((await session.execute(joined.add_columns(a.dimension, gap)
                                       .group_by(a.dimension))).all())
    overall = (await session.execute(joined.add_columns(
        func.count(func.distinct(r.id)), func.avg(a.expectation), func.avg(a.perception),
        gap))).one()
    labels = await _labels(session, actor, survey, group, [str(x[0]) for x in rows], lang)
    found = sorted((Row(str(x[0]), labels[str(x[0])], x[1], x[2], round(float(x[3]), 3),
                        round(float(x[4]), 3), round(float(x[5]), 3)) for x in rows),
                   key=_order(group, survey))
    dimension_gaps = {d: float(g) for d, g in dims.items()}
    asked = [i["dimension"] for i in survey.items]
    points = {d: round(s * 100) for d, s in shares(survey.weights, asked).items()}
    if not overall[0]:
        return Report(survey.id, group, first, stop, weights=points)
    return Report(survey.id, group, first, stop, overall[0], round(float(overall[1]), 3),
                  round(float(overall[2]), 3), round(float(overall[3]), 3),
                  round(weighted(dimension_gaps, survey.weights), 3), points, found)


def csv_rows(report: Report) -> list[list[str]]:
    """The report as CSV lines: a header, one line per group, then the overall line."""
    out = [["group", "key", "label", "responses", "answers", "expectation", "perception",
            "gap"]]
    out += [[report.group, r.key, r.label, str(r.responses), str(r.answers),
             f"{r.expectation:.3f}", f"{r.perception:.3f}", f"{r.gap:.3f}"]
            for r in report.rows]
    if report.responses:
        out.append(["overall", "", "weighted SERVQUAL score "
                    f"{report.weighted_gap:.3f}", str(report.responses), "",
                    f"{report.expectation:.3f}", f"{report.perception:.3f}",
                    f"{report.gap:.3f}"])
    return out
