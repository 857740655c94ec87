"""Survey actions: create (the 22 standard items unless the tenant brings its own), list,
read, change (only what is sent), delete. Every lookup is scoped by the caller's tenant;
writers create and change, any member reads. Rules a schema cannot state — a statement in
every language, unique item keys, weights over the dimensions asked summing to 100, the
threshold on its scale, a manager who is a member — are 422s naming the field."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit
from rapport.core.communication.models import MessageTemplate
from rapport.core.deals.references import require_member
from rapport.core.pagination import Page, by_id, check_limit, cut, newest_first
from rapport.core.surveys.instrument import DIMENSIONS, ITEMS, SCALE_MAX, SCALE_MIN
from rapport.core.surveys.models import Survey
from rapport.errors import invalid, not_found
from rapport.tenancy.principal import Principal

RECORD_TYPE = "survey"
PLAIN = ("name", "threshold_on", "topic", "link_days", "active", "auto_channel",
         "auto_delay_minutes", "auto_cap_days", "remind_after_days")


def standard_items(languages: list[str]) -> list[dict[str, Any]]:
    """The 22 items in the languages the instrument has (others are the tenant's to add)."""
    return [{"key": key, "dimension": dimension,
             "text": {lang: text[lang] for lang in languages if lang in text}}
            for key, dimension, text in ITEMS]


def _items(raw: list[Any], languages: list[str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, item in enumerate(raw):
        value = item if isinstance(item, dict) else {
            "key": item.key, "dimension": item.dimension, "text": dict(item.text)}
        if value["key"] in seen:
            raise invalid(f"items[{n}].key", f"{value['key']} is used twice")
        seen.add(value["key"])
        missing = [lang for lang in languages if not (value["text"].get(lang) or "").strip()]
        if missing:
            raise invalid(f"items[{n}].text", f"no statement in {missing[0]} "
                          f"(the survey asks in {', '.join(languages)})")
        extra = [lang for lang in value["text"] if lang not in languages]
        if extra:
            raise invalid(f"items[{n}].text", f"{extra[0]} is not one of the survey's "
                          f"languages ({', '.join(languages)})")
        items.append({"key": value["key"], "dimension": value["dimension"],
                      "text": {k: v.strip() for k, v in value["text"].items()}})
    return items


def _weights(weights: Mapping[str, int] | None, items: list[dict[str, Any]]
             ) -> dict[str, int] | None:
    if not weights:
        return None
    asked = {i["dimension"] for i in items}
    unknown = sorted(set(weights) - asked)
    if unknown:
        raise invalid("weights", f"{unknown[0]} is no dimension of the survey's items "
                      f"({', '.join(sorted(asked))})")
    missing = sorted(asked - set(weights))
    if missing:
        raise invalid("weights", f"no points for {missing[0]}")
    if sum(weights.values()) != 100:
        raise invalid("weights", f"the points add up to {sum(weights.values())}, not 100")
    return dict(weights)


def _threshold(value: float, on: str) -> Decimal:
    low, high = (SCALE_MIN, SCALE_MAX) if on == "perception" else (
        SCALE_MIN - SCALE_MAX, SCALE_MAX - SCALE_MIN)
    if not low <= value <= high:
        raise invalid("threshold", f"a {on} threshold lies between {low} and {high}")
    return Decimal(str(round(value, 2)))


async def _template(session: AsyncSession, actor: Principal, template_id: uuid.UUID | None
                    ) -> None:
    if template_id is None:
        return
    found = await session.scalar(select(MessageTemplate.id).where(
        MessageTemplate.tenant_id == actor.tenant_id, MessageTemplate.id == template_id))
    if found is None:
        raise invalid("template_id", "no such message template")


def _auto(survey: Survey) -> None:
    if survey.auto_kinds and not survey.auto_channel:
        raise invalid("auto_channel", "name the channel automatic invitations go on")


def audited(s: Survey) -> dict[str, Any]:
    return {"name": s.name, "languages": list(s.languages), "items": len(s.items),
            "weights": s.weights, "threshold": str(s.threshold),
            "threshold_on": s.threshold_on, "manager_id": s.manager_id, "topic": s.topic,
            "template_id": s.template_id, "auto_kinds": list(s.auto_kinds),
            "auto_channel": s.auto_channel, "auto_delay_minutes": s.auto_delay_minutes,
            "auto_cap_days": s.auto_cap_days, "remind_after_days": s.remind_after_days,
            "link_days": s.link_days, "active": s.active}


async def get_survey(session: AsyncSession, actor: Principal, survey_id: uuid.UUID) -> Survey:
    found = (await session.execute(select(Survey).where(
        Survey.tenant_id == actor.tenant_id, Survey.id == survey_id))).scalar_one_or_none()
    if found is None:
        raise not_found("Survey")
    return found


async def list_surveys(session: AsyncSession, actor: Principal, *, cursor: str | None,
                       limit: int) -> Page[Survey]:
    check_limit(limit)
    query = newest_first(select(Survey).where(Survey.tenant_id == actor.tenant_id),
                         Survey.id, cursor, limit)
    return cut(list((await session.execute(query)).scalars()), limit, by_id)


async def _apply(session: AsyncSession, actor: Principal, survey: Survey,
                 changes: Mapping[str, Any]) -> None:
    was_on = survey.active is not False
    kinds_before = set(survey.auto_kinds or [])
    for key in PLAIN:
        if key in changes:
            setattr(survey, key, changes[key].strip() if key == "name" else changes[key])
    if "languages" in changes:
        survey.languages = list(dict.fromkeys(changes["languages"]))
    if "items" in changes or "languages" in changes:
        raw = changes.get("items")
        survey.items = _items(raw if raw is not None else survey.items, list(survey.languages))
    if "weights" in changes or "items" in changes:
        survey.weights = _weights(changes.get("weights", survey.weights), survey.items)
    if "threshold" in changes or "threshold_on" in changes:
        survey.threshold = _threshold(float(changes.get("threshold", survey.threshold)),
                                      survey.threshold_on)
    if "manager_id" in changes:
        await require_member(session, actor, "manager_id", changes["manager_id"])
        survey.manager_id = changes["manager_id"]
    if "template_id" in changes:
        await _template(session, actor, changes["template_id"])
        survey.template_id = changes["template_id"]
    if "auto_kinds" in changes:
        survey.auto_kinds = sorted(set(changes["auto_kinds"]))
    # Automatic invitations look forward only: interactions logged before the kinds
    # changed, or while the survey was switched off, are never surveyed.
    if (set(survey.auto_kinds or []) != kinds_before
            or (survey.active and not was_on)) and survey.id is not None:
        survey.auto_since = func.now()
    _auto(survey)


async def create_survey(session: AsyncSession, actor: Principal,
                        values: Mapping[str, Any]) -> Survey:
    actor.require_writer()
    languages = list(dict.fromkeys(values["languages"]))
    survey = Survey(tenant_id=actor.tenant_id, created_by=actor.user_id, languages=languages,
                    threshold_on=values["threshold_on"], items=[])
    changes = dict(values)
    if changes.get("items") is None:
        unknown = [lang for lang in languages if lang not in ITEMS[0][2]]
        if unknown:
            raise invalid("items", f"the standard items are in en, uk and ru; for "
                          f"{unknown[0]} send the items with their statements")
        changes["items"] = standard_items(languages)
    await _apply(session, actor, survey, changes)
    session.add(survey)
    await session.flush()
    await audit.record(session, actor, audit.CREATE, RECORD_TYPE, survey.id,
                       audit.diff({}, audited(survey)))
    return survey


async def update_survey(session: AsyncSession, actor: Principal, survey_id: uuid.UUID,
                        changes: Mapping[str, Any]) -> Survey:
    actor.require_writer()
    survey = await get_survey(session, actor, survey_id)
    before = audited(survey)
    await _apply(session, actor, survey, changes)
    await session.flush()
    await session.refresh(survey)
    changed = audit.diff(before, audited(survey))
    if changed:
        await audit.record(session, actor, audit.UPDATE, RECORD_TYPE, survey.id, changed)
    return survey


async def delete_survey(session: AsyncSession, actor: Principal, survey_id: uuid.UUID) -> None:
    """The survey with its invitations and responses (the timeline keeps the answers'
    interactions)."""
    actor.require_writer()
    survey = await get_survey(session, actor, survey_id)
    before = audited(survey)
    await session.delete(survey)
    await session.flush()
    await audit.record(session, actor, audit.DELETE, RECORD_TYPE, survey_id,
                       audit.diff(before, {}))


def dimension_name(dimension: str, language: str) -> str:
    """A standard dimension's name in ``language`` (English otherwise); a tenant's own
    dimension is shown as its key with the underscores as spaces."""
    names = DIMENSIONS.get(dimension)
    if names:
        return names.get(language, names["en"])
    return dimension.replace("_", " ").capitalize()
