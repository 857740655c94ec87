"""Invitations after a touchpoint: a signed link (no login) sent to the contact as a message
through communication's senders — the survey's template when it is for the channel, else
the built-in letter in the contact's language — under the same consent rules as campaigns
(``audience.decide``: do-not-contact, opt-outs of the channel and the survey's topic, an
address on the channel). Nobody who may not be contacted receives one; the message sent is
an outbound interaction on the contact's timeline."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.communication import variables as vars_
from rapport.core.communication.audience import decide, words
from rapport.core.communication.models import MessageTemplate
from rapport.core.communication.rendering import Rendered, render
from rapport.core.communication.senders import Outgoing, Senders, SendFailed
from rapport.core.deals.references import require_member
from rapport.core.interactions.models import Interaction
from rapport.core.interactions.service import log_interaction
from rapport.core.pagination import Page, by_id, check_limit, cut, newest_first
from rapport.core.surveys import links
from rapport.core.surveys.letters import default_letter
from rapport.core.surveys.models import Survey, SurveyInvitation
from rapport.core.surveys.surveys import get_survey
from rapport.errors import conflict, invalid
from rapport.hooks import TenantHooks
from rapport.settings import Settings
from rapport.tenancy.principal import Principal

INTERACTION_KIND = {"email": "email", "sms": "message", "messenger": "message"}


@dataclass(frozen=True)
class Sent:
    invitation: SurveyInvitation
    url: str


def language_for(survey: Survey, wanted: str | None, contact_language: str | None) -> str:
    """The invitation's language: the one asked for, else the contact's when the survey
    speaks it, else the survey's first."""
    languages = list(survey.languages)
    if wanted is not None:
        if wanted not in languages:
            raise invalid("language", f"the survey asks in {', '.join(languages)}")
        return wanted
    own = (contact_language or "").replace("_", "-").split("-")[0].lower()
    return own if own in languages else languages[0]


async def _touchpoint(session: AsyncSession, actor: Principal, contact_id: uuid.UUID,
                      interaction_id: uuid.UUID | None) -> None:
    if interaction_id is None:
        return
    found = await session.scalar(select(Interaction.contact_id).where(
        Interaction.tenant_id == actor.tenant_id, Interaction.id == interaction_id))
    if found is None:
        raise invalid("interaction_id", "no such interaction")
    if found != contact_id:
        raise invalid("interaction_id", "the interaction is another contact's")


async def _message(session: AsyncSession, actor: Principal, hooks: TenantHooks,
                   survey: Survey, contact: dict[str, Any], channel: str, language: str,
                   url: str, expires_at: datetime) -> Rendered:
    sender = await vars_.sender_of(session, actor.tenant_id, actor.membership_id)
    template = None
    if survey.template_id is not None:
        template = (await session.execute(select(MessageTemplate).where(
            MessageTemplate.tenant_id == actor.tenant_id,
            MessageTemplate.id == survey.template_id))).scalar_one_or_none()
    if template is not None and template.channel == channel:
        variables = await vars_.variables_for(session, hooks, actor.tenant_id, contact, sender,
                                              template.language)
        variables["surveys"] = {"link": url, "survey": survey.name}
        return render(template.subject, template.body, variables)
    variables = await vars_.variables_for(session, hooks, actor.tenant_id, contact, sender,
                                          language)
    return default_letter(language, channel, variables, url, expires_at)


async def invite(session: AsyncSession, actor: Principal, hooks: TenantHooks,
                 settings: Settings, senders: Senders, survey: Survey,
                 values: Mapping[str, Any], *, refuse: bool = True) -> Sent | None:
    """Send one invitation. A contact who may not be contacted on the channel is a 422
    naming the reason (``refuse``) or, for automatic invitations, an invitation kept as
    ``skipped`` with the reason and no message; None then."""
    actor.require_writer()
    if not survey.active:
        raise conflict("The survey is switched off; switch it on to invite")
    contact_id, channel = values["contact_id"], values["channel"]
    contact = await vars_.contact_values(session, actor.tenant_id, contact_id)
    await require_member(session, actor, "employee_id", values.get("employee_id"))
    await _touchpoint(session, actor, contact_id, values.get("interaction_id"))
    if values.get("interaction_id") is not None and await session.scalar(
            select(SurveyInvitation.id).where(
                SurveyInvitation.tenant_id == actor.tenant_id,
                SurveyInvitation.survey_id == survey.id,
                SurveyInvitation.interaction_id == values["interaction_id"])):
        raise conflict("This touchpoint already has an invitation to this survey")
    language = language_for(survey, values.get("language"), contact.get("language"))
    if channel not in senders:
        raise invalid("channel", f"no sender is configured for {channel}")
    verdict = await decide(session, actor, contact_id, channel, survey.topic, None)
    invitation = SurveyInvitation(
        tenant_id=actor.tenant_id, survey_id=survey.id, contact_id=contact_id,
        service_point=values.get("service_point"), interaction_id=values.get("interaction_id"),
        employee_id=values.get("employee_id"), channel=channel, language=language,
        status="sent", sent_by=actor.membership_id,
        expires_at=datetime.now(UTC) + timedelta(days=survey.link_days))
    if not verdict.allowed:
        if refuse:
            raise invalid("contact_id", "may not be contacted: "
                          + words(verdict.reason, channel, survey.topic))
        invitation.status, invitation.reason = "skipped", verdict.reason
        invitation.detail = verdict.detail
        session.add(invitation)
        await session.flush()
        return None
    session.add(invitation)
    await session.flush()
    token = links.sign(settings.secret_key, actor.tenant_id, invitation.id,
                       invitation.expires_at)
    url = links.page_url(settings.base_url, token)
    rendered = await _message(session, actor, hooks, survey, contact, channel, language, url,
                              invitation.expires_at)
    invitation.address = verdict.address
    try:
        invitation.provider_id = await senders[channel].send(Outgoing(
            str(invitation.id), channel, verdict.address or "", rendered.subject,
            rendered.body))
    except SendFailed as exc:
        invitation.status, invitation.reason, invitation.detail = "failed", "rejected", str(exc)
    else:
        await log_interaction(session, actor, {
            "contact_id": contact_id, "kind": INTERACTION_KIND[channel], "channel": channel,
            "direction": "outbound", "subject": (rendered.subject or survey.name)[:200],
            "notes": rendered.body[:100_000], "campaign": survey.name[:200],
            "touchpoint": values.get("service_point"),
        }, hooks)
    await session.flush()
    return Sent(invitation, url)


async def list_invitations(session: AsyncSession, actor: Principal, survey_id: uuid.UUID, *,
                           cursor: str | None, limit: int) -> Page[SurveyInvitation]:
    await get_survey(session, actor, survey_id)
    check_limit(limit)
    query = newest_first(select(SurveyInvitation).where(
        SurveyInvitation.tenant_id == actor.tenant_id,
        SurveyInvitation.survey_id == survey_id), SurveyInvitation.id, cursor, limit)
    return cut(list((await session.execute(query)).scalars()), limit, by_id)
