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

from rapport.core.surveys.models import Survey, SurveyAnswer, SurveyInvitation, SurveyResponse
from rapport.core.surveys.scoring import shares, weighted
from rapport.core.surveys.surveys import dimension_name, get_survey
from rapport.errors import invalid
from rapport.tenancy.models import Membership, User
from rapport.tenancy.principal import Principal

GROUPS = ("dimension", "item", "service_point", "employee", "month")
# Groups an invitation belongs to (an invitation has no dimension or item).
RATE_GROUPS = ("service_point", "employee", "month")
DEFAULT_DAYS = 365
NO_SERVICE_POINT = "—"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    responses: int
    answers: int
    expectation: float | None
    perception: float | None
    gap: float | None
    invited: int | None = None
    answered: int | None = None
    response_rate: float | None = None


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
    invited: int = 0
    answered: int = 0
    response_rate: float | None = None


def rate(invited: int, answered: int) -> float | None:
    """Answered of invited, 0 … 1 (three decimals); None with nobody invited."""
    return round(answered / invited, 3) if invited else None


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


def _invitation_key(group: str) -> Any:
    i = SurveyInvitation
    return {
        "service_point": func.coalesce(i.service_point, ""),
        "employee": func.coalesce(cast(i.employee_id, String), ""),
        "month": func.to_char(func.date_trunc("month", func.timezone("UTC", i.created_at)),
                              "YYYY-MM"),
    }[group]


async def _rates(session: AsyncSession, survey: Survey, group: str, first: date, stop: date
                 ) -> tuple[tuple[int, int], dict[str, tuple[int, int]]]:
    """(invited, answered) overall and per group: the invitations that reached the contact
    (sent or answered) in the period, and how many of them were answered (whenever)."""
    i = SurveyInvitation
    answered = func.count().filter(i.status == "answered")
    base = select(func.count(), answered).where(
        i.tenant_id == survey.tenant_id, i.survey_id == survey.id,
        i.status.in_(("sent", "answered")),
        i.created_at >= datetime.combine(first, time(), UTC),
        i.created_at < datetime.combine(stop + timedelta(days=1), time(), UTC))
    total = (await session.execute(base)).one()
    per: dict[str, tuple[int, int]] = {}
    if group in RATE_GROUPS:
        key = _invitation_key(group)
        per = {str(k): (n, a) for k, n, a in (await session.execute(
            base.with_only_columns(key, func.count(), answered).group_by(key))).all()}
    return (int(total[0]), int(total[1])), per


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
    (invited, answered), per = await _rates(session, survey, group, first, stop)
    keys = list(dict.fromkeys([str(x[0]) for x in rows] + list(per)))
    labels = await _labels(session, actor, survey, group, keys, lang)
    rated = group in RATE_GROUPS

    def row(key: str, x: Any) -> Row:
        n, a = per.get(key, (0, 0))
        invited_, answered_, ratio_ = (n, a, rate(n, a)) if rated else (None, None, None)
        if x is None:  # invited in the period, no response in it
            return Row(key, labels[key], 0, 0, None, None, None, invited_, answered_, ratio_)
        return Row(key, labels[key], x[1], x[2], round(float(x[3]), 3),
                   round(float(x[4]), 3), round(float(x[5]), 3), invited_, answered_, ratio_)

    by_key = {str(x[0]): x for x in rows}
    found = sorted((row(k, by_key.get(k)) for k in keys), key=_order(group, survey))
    dimension_gaps = {d: float(g) for d, g in dims.items()}
    asked = [i["dimension"] for i in survey.items]
    points = {d: round(s * 100) for d, s in shares(survey.weights, asked).items()}
    ratio = rate(invited, answered)
    if not overall[0]:
        return Report(survey.id, group, first, stop, weights=points, rows=found,
                      invited=invited, answered=answered, response_rate=ratio)
    return Report(survey.id, group, first, stop, overall[0], round(float(overall[1]), 3),
                  round(float(overall[2]), 3), round(float(overall[3]), 3),
                  round(weighted(dimension_gaps, survey.weights), 3), points, found,
                  invited=invited, answered=answered, response_rate=ratio)


def _num(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _int(value: int | None) -> str:
    return "" if value is None else str(value)


def csv_rows(report: Report) -> list[list[str]]:
    """The report as CSV lines: a header, one line per group, then the overall line (with
    the weighted score when there are responses, the response rate when anyone was
    invited)."""
    out = [["group", "key", "label", "responses", "answers", "expectation", "perception",
            "gap", "invited", "answered", "response_rate"]]
    out += [[report.group, r.key, r.label, str(r.responses), str(r.answers),
             _num(r.expectation), _num(r.perception), _num(r.gap), _int(r.invited),
             _int(r.answered), _num(r.response_rate)]
            for r in report.rows]
    if report.responses or report.invited:
        label = (f"weighted SERVQUAL score {report.weighted_gap:.3f}"
                 if report.weighted_gap is not None else "")
        out.append(["overall", "", label, str(report.responses), "",
                    _num(report.expectation), _num(report.perception), _num(report.gap),
                    str(report.invited), str(report.answered), _num(report.response_rate)])
    return out
