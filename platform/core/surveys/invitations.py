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

from sqlalchemy import func, select
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


async def message(session: AsyncSession, actor: Principal, hooks: TenantHooks,
                   survey: Survey, contact: dict[str, Any], channel: str, language: str,
                   url: str, expires_at: datetime, *, reminder: bool = False) -> Rendered:
    sender = await vars_.sender_of(session, actor.tenant_id, actor.membership_id)
    template = None
    if survey.template_id is not None:
        template = (await session.execute(select(MessageTemplate).where(
            MessageTemplate.tenant_id == actor.tenant_id,
            MessageTemplate.id == survey.template_id))).scalar_one_or_none()
    if template is not None and template.channel == channel:
        variables = await vars_.variables_for(session, hooks, actor.tenant_id, contact, sender,
                                              template.language)
        variables["surveys"] = {"link": url, "survey": survey.name, "reminder": reminder}
        return render(template.subject, template.body, variables)
    variables = await vars_.variables_for(session, hooks, actor.tenant_id, contact, sender,
                                          language)
    return default_letter(language, channel, variables, url, expires_at, reminder=reminder)


SURVEY_CAP = "survey_cap"
NO_SENDER = "no_sender"


@dataclass(frozen=True)
class Prepared:
    """An invitation written (``sent`` for a manual one, ``sending`` in the worker) with
    the message about to leave."""

    invitation: SurveyInvitation
    url: str
    rendered: Rendered
    outgoing: Outgoing


async def _recently_invited(session: AsyncSession, tenant_id: uuid.UUID,
                            contact_id: uuid.UUID, days: int) -> datetime | None:
    """When the contact was last invited (any survey) within ``days``, if they were."""
    return await session.scalar(select(func.max(SurveyInvitation.created_at)).where(
        SurveyInvitation.tenant_id == tenant_id, SurveyInvitation.contact_id == contact_id,
        SurveyInvitation.status.in_(("sending", "sent", "answered")),
        SurveyInvitation.created_at > func.now() - func.make_interval(0, 0, 0, days)))


async def prepare(session: AsyncSession, actor: Principal, hooks: TenantHooks,
                  settings: Settings, senders: Senders, survey: Survey,
                  values: Mapping[str, Any], *, automatic: bool = False) -> Prepared | None:
    """Check, decide and write one invitation and render its message. A manual one: a
    contact who may not be contacted on the channel is a 422 naming the reason. An
    automatic one (the worker): kept as ``skipped`` (may not be contacted, or invited
    within the survey's ``auto_cap_days``) or ``failed`` (no sender) with the reason and no
    message — None then — else written as ``sending`` for the worker to commit first."""
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
    if channel not in senders and not automatic:
        raise invalid("channel", f"no sender is configured for {channel}")
    invitation = SurveyInvitation(
        tenant_id=actor.tenant_id, survey_id=survey.id, contact_id=contact_id,
        service_point=values.get("service_point"), interaction_id=values.get("interaction_id"),
        employee_id=values.get("employee_id"), channel=channel, language=language,
        status="sending" if automatic else "sent", sent_by=actor.membership_id,
        automatic=automatic, expires_at=datetime.now(UTC) + timedelta(days=survey.link_days))
    verdict = await decide(session, actor, contact_id, channel, survey.topic, None)
    last = (await _recently_invited(session, actor.tenant_id, contact_id,
                                    survey.auto_cap_days)
            if automatic and verdict.allowed and survey.auto_cap_days else None)
    if not verdict.allowed or last is not None or channel not in senders:
        if not automatic:
            raise invalid("contact_id", "may not be contacted: "
                          + words(verdict.reason, channel, survey.topic))
        if not verdict.allowed:
            invitation.status, invitation.reason = "skipped", verdict.reason
            invitation.detail = verdict.detail
        elif last is not None:
            invitation.status, invitation.reason = "skipped", SURVEY_CAP
            invitation.detail = (f"invited on {last:%Y-%m-%d}; the survey invites a contact "
                                 f"at most once in {survey.auto_cap_days} days")
        else:
            invitation.status, invitation.reason = "failed", NO_SENDER
            invitation.detail = f"no sender is configured for {channel}"
        session.add(invitation)
        await session.flush()
        return None
    session.add(invitation)
    await session.flush()
    url = link_of(settings, invitation)
    rendered = await message(session, actor, hooks, survey, contact, channel, language, url,
                              invitation.expires_at)
    invitation.address = verdict.address
    await session.flush()
    return Prepared(invitation, url, rendered, Outgoing(
        str(invitation.id), channel, verdict.address or "", rendered.subject, rendered.body))


def link_of(settings: Settings, invitation: SurveyInvitation) -> str:
    token = links.sign(settings.secret_key, invitation.tenant_id, invitation.id,
                       invitation.expires_at)
    return links.page_url(settings.base_url, token)


async def record(session: AsyncSession, actor: Principal, hooks: TenantHooks, survey: Survey,
                 invitation: SurveyInvitation, rendered: Rendered, provider_id: str | None,
                 failure: SendFailed | None, *, reminder: bool = False) -> None:
    """After the send: the invitation (or its reminder) ``sent`` with an outbound
    interaction on the contact's timeline, or ``failed`` with the provider's words."""
    if failure is not None:
        if reminder:
            invitation.reminder_status, invitation.reminder_detail = "failed", str(failure)
        else:
            invitation.status, invitation.reason = "failed", "rejected"
            invitation.detail = str(failure)
        await session.flush()
        return
    if reminder:
        invitation.reminder_status = "sent"
    elif invitation.status != "answered":  # answered in the moment since it left
        invitation.status, invitation.provider_id = "sent", provider_id
    await log_interaction(session, actor, {
        "contact_id": invitation.contact_id, "kind": INTERACTION_KIND[invitation.channel],
        "channel": invitation.channel, "direction": "outbound",
        "subject": (rendered.subject or survey.name)[:200],
        "notes": rendered.body[:100_000], "campaign": survey.name[:200],
        "touchpoint": invitation.service_point,
    }, hooks)
    await session.flush()


async def deliver(senders: Senders,
                  outgoing: Outgoing) -> tuple[str | None, SendFailed | None]:
    """Hand one message to its channel's sender: the provider's id, or why it failed
    (``record`` writes either onto the invitation)."""
    try:
        return await senders[outgoing.channel].send(outgoing), None
    except SendFailed as exc:
        return None, exc


async def invite(session: AsyncSession, actor: Principal, hooks: TenantHooks,
                 settings: Settings, senders: Senders, survey: Survey,
                 values: Mapping[str, Any]) -> Sent:
    """Send one invitation now, in the caller's transaction (a member's request)."""
    prepared = await prepare(session, actor, hooks, settings, senders, survey, values)
    assert prepared is not None  # a manual invitation is refused with a 422 instead
    provider_id, failure = await deliver(senders, prepared.outgoing)
    await record(session, actor, hooks, survey, prepared.invitation, prepared.rendered,
                 provider_id, failure)
    return Sent(prepared.invitation, prepared.url)


async def list_invitations(session: AsyncSession, actor: Principal, survey_id: uuid.UUID, *,
                           cursor: str | None, limit: int) -> Page[SurveyInvitation]:
    await get_survey(session, actor, survey_id)
    check_limit(limit)
    query = newest_first(select(SurveyInvitation).where(
        SurveyInvitation.tenant_id == actor.tenant_id,
        SurveyInvitation.survey_id == survey_id), SurveyInvitation.id, cursor, limit)
    return cut(list((await session.execute(query)).scalars()), limit, by_id)
