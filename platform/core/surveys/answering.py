"""The public side of a signed link (no login): the questionnaire in the invitation's
language, and the submission — checked whole (every item, both answers, 1-7, nothing
unknown or twice) and written in one transaction: the response and its answers, an
inbound ``survey`` interaction on the contact's timeline (with the employee as the member),
the invitation marked answered (single use), and, when the score is low, a task for the
survey's manager and a ``survey.low_score`` event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.core.contacts.models import Contact
from rapport.core.events import emit
from rapport.core.interactions.service import log_interaction
from rapport.core.surveys import links
from rapport.core.surveys.acting import acting_for
from rapport.core.surveys.instrument import SCALE_MAX, SCALE_MIN
from rapport.core.surveys.models import Survey, SurveyAnswer, SurveyInvitation, SurveyResponse
from rapport.core.surveys.scoring import Scored, score
from rapport.core.surveys.surveys import dimension_name
from rapport.core.tasks.service import create_task
from rapport.db.base import new_id
from rapport.db.session import tenant_session
from rapport.errors import FieldError, RapportError, invalid_many, not_found
from rapport.hooks import PluginRegistry, TenantHooks
from rapport.tenancy.models import Membership, Tenant, User
from rapport.tenancy.principal import Principal

SURVEY_ANSWERED = "survey.answered"
LOW_SCORE = "survey.low_score"
RECORD_TYPE = "survey_response"
TASK_DUE = timedelta(days=2)


@dataclass(frozen=True)
class Question:
    key: str
    dimension: str
    dimension_name: str
    text: str


@dataclass(frozen=True)
class Questionnaire:
    organization: str
    survey: str
    language: str
    service_point: str | None
    employee: str | None
    expires_at: datetime
    items: list[Question]


@dataclass(frozen=True)
class Answer:
    item: str
    expectation: int
    perception: int


def answered(when: datetime | None) -> RapportError:
    day = f" on {when:%Y-%m-%d}" if when else ""
    return RapportError(detail=f"This survey was already answered{day}; thank you",
                        status=410, title="Already answered")


async def _found(session: AsyncSession, token: links.SurveyToken, *, lock: bool = False
                 ) -> tuple[SurveyInvitation, Survey]:
    query = select(SurveyInvitation).where(SurveyInvitation.tenant_id == token.tenant_id,
                                           SurveyInvitation.id == token.invitation_id)
    invitation = (await session.execute(query.with_for_update() if lock else query)
                  ).scalar_one_or_none()
    if invitation is None:
        raise not_found("Survey invitation")
    if invitation.status == "answered":
        raise answered(invitation.answered_at)
    survey = (await session.execute(select(Survey).where(
        Survey.tenant_id == token.tenant_id, Survey.id == invitation.survey_id))).scalar_one()
    return invitation, survey


async def _employee(session: AsyncSession, tenant_id: uuid.UUID,
                    membership_id: uuid.UUID | None) -> tuple[uuid.UUID, str] | None:
    if membership_id is None:
        return None
    row = (await session.execute(select(User.id, User.full_name).join(
        Membership, Membership.user_id == User.id).where(
        Membership.tenant_id == tenant_id, Membership.id == membership_id))).first()
    return (row[0], row[1]) if row else None


async def questionnaire(sessions: async_sessionmaker[AsyncSession], secret_key: str,
                        token: str) -> Questionnaire:
    """What the link asks, in the invitation's language; 422/410 for a bad or spent link."""
    found = links.verify(secret_key, token)
    async with tenant_session(sessions, found.tenant_id) as session:
        invitation, survey = await _found(session, found)
        org = await session.scalar(select(Tenant.name).where(Tenant.id == found.tenant_id))
        employee = await _employee(session, found.tenant_id, invitation.employee_id)
        lang = invitation.language
        items = [Question(i["key"], i["dimension"], dimension_name(i["dimension"], lang),
                          i["text"].get(lang) or next(iter(i["text"].values())))
                 for i in survey.items]
        return Questionnaire(str(org or ""), survey.name, lang, invitation.service_point,
                             employee[1] if employee else None, invitation.expires_at, items)


def check_answers(survey: Survey, answers: list[Answer]) -> list[tuple[str, str, int, int]]:
    """(key, dimension, expectation, perception) per item in the survey's order, or a 422
    naming every answer at fault: an unknown item, one given twice, a score off the 1-7
    scale, items left out."""
    dimensions = {i["key"]: i["dimension"] for i in survey.items}
    errors: list[FieldError] = []
    given: dict[str, Answer] = {}
    for n, a in enumerate(answers):
        if a.item not in dimensions:
            errors.append(FieldError(f"answers[{n}].item", f"{a.item} is no item of the survey"))
        elif a.item in given:
            errors.append(FieldError(f"answers[{n}].item", f"{a.item} is answered twice"))
        for field in ("expectation", "perception"):
            value = getattr(a, field)
            if not SCALE_MIN <= value <= SCALE_MAX:
                errors.append(FieldError(f"answers[{n}].{field}",
                                         f"{value} is off the scale {SCALE_MIN}-{SCALE_MAX}"))
        given.setdefault(a.item, a)
    missing = [key for key in dimensions if key not in given]
    if missing:
        errors.append(FieldError("answers", f"every item needs both answers; missing: "
                                 f"{', '.join(missing)}"))
    if errors:
        raise invalid_many(errors)
    return [(k, dimensions[k], given[k].expectation, given[k].perception) for k in dimensions]


def _summary(survey: Survey, scored: Scored, language: str, comment: str | None) -> str:
    lines = [f"{dimension_name(d, language)}: {g:+.2f}" for d, g in scored.dimensions.items()]
    lines.insert(0, f"SERVQUAL {scored.weighted_gap:+.2f} (E {scored.expectation:.2f}, "
                 f"P {scored.perception:.2f})")
    if comment:
        lines += ["", comment]
    return "\n".join(lines)


def _is_low(survey: Survey, scored: Scored) -> bool:
    value = scored.perception if survey.threshold_on == "perception" else scored.weighted_gap
    return value < float(survey.threshold)


async def _low(session: AsyncSession, actor: Principal, hooks: TenantHooks, survey: Survey,
               invitation: SurveyInvitation, response: SurveyResponse, scored: Scored
               ) -> uuid.UUID:
    name = await session.scalar(select(Contact.display_name).where(
        Contact.tenant_id == actor.tenant_id, Contact.id == invitation.contact_id))
    title = f"Low survey score: {name or 'a contact'} ({survey.name})"[:200]
    where = f" at {invitation.service_point}" if invitation.service_point else ""
    task = await create_task(session, actor, {
        "title": title, "contact_id": invitation.contact_id,
        "assignee_id": survey.manager_id or invitation.sent_by or actor.membership_id,
        "due_at": datetime.now(UTC) + TASK_DUE,
        "notes": f"SERVQUAL {scored.weighted_gap:+.2f}, perception {scored.perception:.2f}"
                 f"{where}; threshold {survey.threshold} on {survey.threshold_on}. "
                 "Call the customer and find out what went wrong.",
    }, hooks)
    # The contact's doing, not the acting member's: nobody is left out of being told.
    await emit(session, None, hooks, LOW_SCORE, RECORD_TYPE, response.id, {
        "title": title, "contact_id": str(invitation.contact_id), "survey_id": str(survey.id),
        "gap": round(scored.weighted_gap, 3), "perception": round(scored.perception, 3),
        "service_point": invitation.service_point,
        "employee_id": str(invitation.employee_id) if invitation.employee_id else None,
        "task_id": str(task.id)}, tenant_id=actor.tenant_id)
    return task.id


def _dec(value: float) -> Decimal:
    return Decimal(str(round(value, 3)))


async def submit(sessions: async_sessionmaker[AsyncSession], registry: PluginRegistry,
                 secret_key: str, token: str, answers: list[Answer],
                 comment: str | None) -> datetime:
    """Record the answers of a link (once); when they were received."""
    found = links.verify(secret_key, token)
    try:
        async with tenant_session(sessions, found.tenant_id) as session:
            return await _submit(session, registry, found, answers, comment)
    except IntegrityError:  # the same link submitted twice at once: the other one won
        raise answered(None) from None


async def _submit(session: AsyncSession, registry: PluginRegistry, found: links.SurveyToken,
                  answers: list[Answer], comment: str | None) -> datetime:
    invitation, survey = await _found(session, found, lock=True)
    rows = check_answers(survey, answers)
    scored = score([(d, e, p) for _, d, e, p in rows], survey.weights)
    actor = await acting_for(session, registry, found.tenant_id, invitation.sent_by,
                             survey.manager_id)
    hooks = registry.for_tenant(actor.modules)
    employee = await _employee(session, found.tenant_id, invitation.employee_id)
    text = (comment or "").strip() or None
    interaction = await log_interaction(session, actor, {
        "contact_id": invitation.contact_id, "kind": "survey", "channel": "web",
        "direction": "inbound", "subject": f"{survey.name}: SERVQUAL "
                                           f"{scored.weighted_gap:+.2f}"[:200],
        "notes": _summary(survey, scored, invitation.language, text),
        "touchpoint": invitation.service_point, "campaign": survey.name[:200],
        "member_id": employee[0] if employee else actor.user_id,
    }, hooks)
    now = datetime.now(UTC)
    low = _is_low(survey, scored)
    response = SurveyResponse(
        tenant_id=found.tenant_id, survey_id=survey.id, invitation_id=invitation.id,
        contact_id=invitation.contact_id, service_point=invitation.service_point,
        employee_id=invitation.employee_id, language=invitation.language,
        expectation=_dec(scored.expectation), perception=_dec(scored.perception),
        gap=_dec(scored.gap), weighted_gap=_dec(scored.weighted_gap), low=low, comment=text,
        interaction_id=interaction.id, submitted_at=now)
    session.add(response)
    await session.flush()
    values: list[dict[str, Any]] = [
        {"tenant_id": found.tenant_id, "id": new_id(), "response_id": response.id,
         "item_key": key, "dimension": dimension, "expectation": e, "perception": p}
        for key, dimension, e, p in rows]
    await session.execute(insert(SurveyAnswer), values)
    invitation.status, invitation.answered_at = "answered", now
    await emit(session, None, hooks, SURVEY_ANSWERED, RECORD_TYPE, response.id, {
        "title": f"{survey.name}: SERVQUAL {scored.weighted_gap:+.2f}"[:300],
        "contact_id": str(invitation.contact_id), "survey_id": str(survey.id),
        "gap": round(scored.weighted_gap, 3), "low": low}, tenant_id=found.tenant_id)
    if low:
        response.task_id = await _low(session, actor, hooks, survey, invitation, response,
                                      scored)
    await session.flush()
    return now
