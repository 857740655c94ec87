"""Surveys and their editor over ``rapport.core.surveys.surveys``: the list with a form for
a new one (the 22 standard items in the languages ticked), and a survey's page where its
settings, items (each language's statement, the dimension) and points are changed, one
more item added or an item removed — posted as the API's patch, refused beside the field."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.forms import field_errors
from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.console.pickers import member_names, recent_contacts
from rapport.console.surveys.invite import CHANNELS
from rapport.core.surveys import invitations, surveys
from rapport.core.surveys.instrument import DIMENSIONS
from rapport.core.surveys.models import Survey
from rapport.errors import RapportError, invalid
from rapport.hooks import Screen
from rapport.tenancy.principal import Principal

TITLE = N_("Surveys")
LANGUAGES = ("en", "uk", "ru")
# An invitation's states, as the survey's page names them.
STATES = (N_("sending"), N_("sent"), N_("answered"), N_("failed"), N_("skipped"))
# The interaction kinds that may invite automatically (the API's ``auto_kinds``).
AUTO_KINDS = (("visit", N_("Visit")), ("meeting", N_("Meeting")), ("call", N_("Call")),
              ("purchase", N_("Purchase")), ("message", N_("Message")),
              ("email", N_("E-mail")))
THRESHOLD_ON = {"gap": N_("the weighted gap"), "perception": N_("the mean perception")}


def _number(name: str, text: str) -> float:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise invalid(name, "must be a number") from None


def _whole(name: str, text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise invalid(name, "must be a whole number") from None


def _automatic(form: FormMultiDict) -> dict[str, Any]:
    """The automatic invitations and the reminder, as the API's fields."""
    reminder = (form.get("remind_after_days") or "").strip()
    return {
        "auto_kinds": [k for k, _ in AUTO_KINDS if k in form.getall("auto_kinds", [])],
        "auto_channel": form.get("auto_channel") or None,
        "auto_delay_minutes": _whole("auto_delay_minutes",
                                     form.get("auto_delay_minutes") or "0"),
        "auto_cap_days": _whole("auto_cap_days", form.get("auto_cap_days") or "0"),
        "remind_after_days": _whole("remind_after_days", reminder) if reminder else None,
    }


def _items(form: FormMultiDict, languages: list[str]) -> list[dict[str, Any]]:
    items = []
    for n in range(int(form.get("item_count") or 0) + 1):
        key = (form.get(f"item-{n}-key") or "").strip()
        if not key or form.get(f"item-{n}-remove") == "on":
            continue
        items.append({"key": key, "dimension": (form.get(f"item-{n}-dimension") or "").strip(),
                      "text": {lang: (form.get(f"item-{n}-text-{lang}") or "").strip()
                               for lang in languages}})
    return items


def _changes(form: FormMultiDict) -> dict[str, Any]:
    languages = [x.strip() for x in (form.get("languages") or "").split(",") if x.strip()]
    changes: dict[str, Any] = {
        "name": (form.get("name") or "").strip(), "languages": languages,
        "threshold_on": form.get("threshold_on") or "gap",
        "threshold": _number("threshold", form.get("threshold") or ""),
        "topic": (form.get("topic") or "service").strip(),
        "active": form.get("active") == "on",
        "manager_id": uuid.UUID(form["manager_id"]) if form.get("manager_id") else None,
        "items": _items(form, languages),
        **_automatic(form),
    }
    if not changes["name"]:
        raise invalid("name", "must not be empty")
    points = {d: (form.get(f"weight-{d}") or "").strip()
              for d in {i["dimension"] for i in changes["items"]}}
    if any(points.values()):
        changes["weights"] = {d: int(_number(f"weight-{d}", p or "0")) for d, p in points.items()}
    else:
        changes["weights"] = None
    return changes


def _rows(survey: Survey, values: FormMultiDict | None) -> list[dict[str, Any]]:
    """The item rows the editor shows: what was posted (a refusal keeps it), else the
    survey's items; then one blank row for a new item."""
    if values is None:
        rows = [dict(i) for i in survey.items]
    else:
        languages = [x.strip() for x in (values.get("languages") or "").split(",")
                     if x.strip()] or list(survey.languages)
        rows = [{"key": (values.get(f"item-{n}-key") or "").strip(),
                 "dimension": (values.get(f"item-{n}-dimension") or "").strip(),
                 "text": {lang: values.get(f"item-{n}-text-{lang}") or "" for lang in languages}}
                for n in range(int(values.get("item_count") or 0) + 1)]
        rows = [r for r in rows if r["key"]]
    return [*rows, {"key": "", "dimension": "", "text": {}}]


async def editor(db: AsyncSession, principal: Principal, survey: Survey,
                 values: FormMultiDict | None = None, errors: dict[str, str] | None = None,
                 status: int = 200, sent: Any = None) -> Screen:
    listed = await invitations.list_invitations(db, principal, survey.id, cursor=None,
                                                limit=50)
    return Screen("surveys_console/survey.html", survey.name, {
        "survey": survey, "values": values, "errors": errors or {}, "sent": sent,
        "members": await member_names(db, principal), "dimensions": DIMENSIONS,
        "threshold_on": THRESHOLD_ON, "invitations": listed.items,
        "used": sorted({i["dimension"] for i in survey.items}),
        "contacts": await recent_contacts(db, principal), "channels": CHANNELS,
        "auto_kinds": AUTO_KINDS,
        "chosen_kinds": (values.getall("auto_kinds", []) if isinstance(values, FormMultiDict)
                         else list(survey.auto_kinds)),
        "rows": _rows(survey, values)}, status=status)


@get("/surveys")
async def survey_list(principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession]) -> Screen:
    page = await surveys.list_surveys(db, principal, cursor=None, limit=200)
    return Screen("surveys_console/list.html", TITLE, {
        "surveys": page.items, "languages": LANGUAGES, "errors": {}, "values": {}})


@post("/surveys", status_code=200)
async def create_survey(request: Request, principal: NamedDependency[Principal],
                        db: NamedDependency[AsyncSession]) -> Any:
    form = await request.form()
    values = {"name": (form.get("name") or "").strip(),
              "languages": form.getall("languages", []) or ["en"]}
    try:
        async with db.begin_nested():
            if not values["name"]:
                raise invalid("name", "must not be empty")
            made = await surveys.create_survey(db, principal, {
                **values, "threshold": -1.0, "threshold_on": "gap", "topic": "service",
                "items": None, "auto_kinds": [], "link_days": 30, "active": True})
    except RapportError as exc:
        if exc.status == 403:
            raise
        page = await surveys.list_surveys(db, principal, cursor=None, limit=200)
        return Screen("surveys_console/list.html", TITLE, {
            "surveys": page.items, "languages": LANGUAGES, "errors": field_errors(exc),
            "values": values}, status=exc.status)
    return redirect(request, f"/surveys/{made.id}")


@get("/surveys/{survey_id:uuid}")
async def survey_page(survey_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession]) -> Screen:
    return await editor(db, principal, await surveys.get_survey(db, principal, survey_id))


@post("/surveys/{survey_id:uuid}", status_code=200)
async def save_survey(request: Request, survey_id: FromPath[uuid.UUID],
                      principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession]) -> Any:
    form = await request.form()
    survey = await surveys.get_survey(db, principal, survey_id)
    try:
        async with db.begin_nested():
            await surveys.update_survey(db, principal, survey_id, _changes(form))
    except RapportError as exc:
        if exc.status == 403:
            raise
        await db.refresh(survey)
        return await editor(db, principal, survey, form, field_errors(exc),
                            status=exc.status)
    return redirect(request, f"/surveys/{survey_id}?saved=1")


PAGES = [survey_list, create_survey, survey_page, save_survey]
