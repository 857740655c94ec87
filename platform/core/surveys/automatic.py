"""The worker's pass for surveys: automatic invitations after a touchpoint, and the one
reminder — both at most once, whatever happens to the worker.

For each tenant ``rapport_survey_due_tenants`` names, each active survey in turn (its row
locked ``FOR UPDATE SKIP LOCKED``, so two workers never work one survey at once):

1. *Invite*: the interactions of the survey's ``auto_kinds`` logged since ``auto_since``
   (never before the survey, or automatic invitations, existed), that happened in the last
   7 days and at least ``auto_delay_minutes`` ago, and are not a message a campaign or
   survey sent, with no invitation to this survey yet. Each gets its invitation written in
   one transaction through ``invitations.prepare`` — the same consent rules, template,
   letter and senders as a member's invitation — as ``sending`` (or ``skipped``/``failed``
   with the reason), tied to the interaction, its touchpoint and the member who served (as
   ``employee_id``; the letter is signed by them when they may still write, else the
   survey's manager, else the first owner). The unique key (tenant, survey, interaction)
   means one invitation per touchpoint, whatever runs twice. A contact invited (any survey)
   within the survey's ``auto_cap_days`` is ``skipped`` (``survey_cap``).
2. *Remind*: with ``remind_after_days`` set, the invitations still ``sent`` (not answered)
   at least that many days old whose link still works and that had no reminder: consent is
   asked again (someone who opted out meanwhile gets nothing: ``skipped``), the reminder
   written as ``sending``.
3. After that transaction commits, each message is sent; then in a transaction of its own
   the invitation (or reminder) is ``sent`` with an outbound interaction on the timeline,
   or ``failed`` with the provider's words.

Each message is written and committed on its own right before it leaves, so a worker
killed between 1-2 and 3 leaves one ``sending`` row: past the lease the next pass
marks it ``failed`` (``interrupted``) instead of sending again — at most once, never
twice (as campaigns do).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import and_, func, not_, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.core.communication.audience import decide
from rapport.core.communication.rendering import Rendered
from rapport.core.communication.senders import Outgoing, Senders, senders_for
from rapport.core.communication.variables import contact_values
from rapport.core.interactions.models import Interaction
from rapport.core.surveys import invitations
from rapport.core.surveys.acting import acting_for
from rapport.core.surveys.models import Survey, SurveyInvitation
from rapport.db.session import tenant_session
from rapport.errors import RapportError
from rapport.hooks import PeriodicWork, PluginRegistry, TenantHooks
from rapport.settings import Settings
from rapport.tenancy.models import Membership
from rapport.tenancy.principal import Principal

log = structlog.get_logger("rapport.worker")

LEASE = timedelta(minutes=10)
# A touchpoint older than this is not asked about (an import of last year's visits).
MAX_AGE = timedelta(days=7)
INTERRUPTED = "sending was interrupted; not sent again, it may have left"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AutoRun:
    """What one pass needs: where to open transactions, the plugins, the settings (the
    link's base URL and key), the senders per channel (None: each tenant's from the
    ``rapport_senders`` declarations), how many invitations per survey and pass, the lease
    after which a ``sending`` row is in doubt, and the clock."""

    sessions: async_sessionmaker[AsyncSession]
    registry: PluginRegistry
    settings: Settings
    senders: Senders | None = None
    batch: int = 100
    lease: timedelta = LEASE
    clock: Callable[[], datetime] = field(default=_now)

    def senders_of(self, enabled: frozenset[str]) -> Senders:
        if self.senders is not None:
            return self.senders
        return senders_for(self.registry, self.settings, enabled)


@dataclass(frozen=True)
class Queued:
    """A message committed as ``sending``, to send and then record."""

    invitation_id: uuid.UUID
    actor: Principal
    hooks: TenantHooks
    rendered: Rendered
    outgoing: Outgoing
    reminder: bool


async def due_tenants(sessions: async_sessionmaker[AsyncSession], n: int) -> list[uuid.UUID]:
    async with tenant_session(sessions, None) as session:
        rows = await session.execute(text("SELECT rapport_survey_due_tenants(:n)"), {"n": n})
        return list(rows.scalars())


def candidates(survey: Survey, now: datetime) -> Any:
    """The interactions this survey still has to invite after, oldest first."""
    i = SurveyInvitation
    return (select(Interaction.id, Interaction.contact_id, Interaction.member_id,
                   Interaction.touchpoint)
            .where(Interaction.tenant_id == survey.tenant_id,
                   Interaction.kind.in_(list(survey.auto_kinds)),
                   Interaction.created_at >= survey.auto_since,
                   Interaction.occurred_at > now - MAX_AGE,
                   Interaction.occurred_at
                   <= now - timedelta(minutes=survey.auto_delay_minutes),
                   not_(and_(func.coalesce(Interaction.direction, "") == "outbound",
                             Interaction.campaign.is_not(None))),
                   ~select(i.id).where(i.tenant_id == survey.tenant_id,
                                       i.survey_id == survey.id,
                                       i.interaction_id == Interaction.id).exists())
            .order_by(Interaction.occurred_at, Interaction.id))


async def _employee(session: AsyncSession, tenant_id: uuid.UUID,
                    user_id: uuid.UUID | None) -> uuid.UUID | None:
    """The member (membership) who served: the interaction's user, if still a member."""
    if user_id is None:
        return None
    return await session.scalar(select(Membership.id).where(
        Membership.tenant_id == tenant_id, Membership.user_id == user_id))


async def _interrupted(session: AsyncSession, run: AutoRun, survey: Survey) -> None:
    """Rows left ``sending`` past the lease may have left: never send them again."""
    stale = run.clock() - run.lease
    i = SurveyInvitation
    await session.execute(update(i).where(
        i.tenant_id == survey.tenant_id, i.survey_id == survey.id, i.status == "sending",
        i.created_at <= stale).values(status="failed", reason="interrupted",
                                      detail=INTERRUPTED))
    await session.execute(update(i).where(
        i.tenant_id == survey.tenant_id, i.survey_id == survey.id,
        i.reminder_status == "sending", i.reminded_at <= stale).values(
        reminder_status="failed", reminder_detail=INTERRUPTED))


async def _invite_after(session: AsyncSession, run: AutoRun, survey: Survey,
                        row: Any, senders: Senders) -> Queued | None:
    employee = await _employee(session, survey.tenant_id, row.member_id)
    actor = await acting_for(session, run.registry, survey.tenant_id, employee,
                             survey.manager_id)
    hooks = run.registry.for_tenant(actor.modules)
    values = {"contact_id": row.contact_id, "channel": survey.auto_channel,
              "service_point": row.touchpoint, "interaction_id": row.id,
              "employee_id": employee}
    try:
        async with session.begin_nested():
            prepared = await invitations.prepare(session, actor, hooks, run.settings, senders,
                                                 survey, values, automatic=True)
    except RapportError as exc:
        # A touchpoint that cannot be invited (the contact is gone …) is kept as skipped
        # with the reason, so it is not tried again.
        session.add(SurveyInvitation(
            tenant_id=survey.tenant_id, survey_id=survey.id, contact_id=row.contact_id,
            service_point=row.touchpoint, interaction_id=row.id, channel=survey.auto_channel,
            language=survey.languages[0], status="skipped", reason="refused",
            detail=str(exc.detail)[:2000], sent_by=actor.membership_id, automatic=True,
            expires_at=run.clock() + timedelta(days=survey.link_days)))
        await session.flush()
        return None
    if prepared is None:
        return None
    return Queued(prepared.invitation.id, actor, hooks, prepared.rendered,
                     prepared.outgoing, False)


async def _remind(session: AsyncSession, run: AutoRun, survey: Survey,
                  invitation: SurveyInvitation, senders: Senders) -> Queued | None:
    actor = await acting_for(session, run.registry, survey.tenant_id, invitation.sent_by,
                             survey.manager_id)
    invitation.reminded_at = run.clock()
    verdict = await decide(session, actor, invitation.contact_id, invitation.channel,
                           survey.topic, None)
    if not verdict.allowed:
        invitation.reminder_status = "skipped"
        invitation.reminder_detail = verdict.detail
        return None
    if invitation.channel not in senders:
        invitation.reminder_status = "failed"
        invitation.reminder_detail = f"no sender is configured for {invitation.channel}"
        return None
    hooks = run.registry.for_tenant(actor.modules)
    try:
        contact = await contact_values(session, survey.tenant_id, invitation.contact_id)
        url = invitations.link_of(run.settings, invitation)
        rendered = await invitations.message(session, actor, hooks, survey, contact,
                                             invitation.channel, invitation.language, url,
                                             invitation.expires_at, reminder=True)
    except RapportError as exc:
        invitation.reminder_status, invitation.reminder_detail = "failed", str(exc.detail)
        return None
    invitation.reminder_status = "sending"
    return Queued(invitation.id, actor, hooks, rendered, Outgoing(
        # Its own id (a gateway's idempotency key), the same whenever it is derived.
        str(uuid.uuid5(invitation.id, "reminder")), invitation.channel, verdict.address or "",
        rendered.subject, rendered.body), True)


async def _next(run: AutoRun, tenant_id: uuid.UUID, survey_id: uuid.UUID, *,
                settle: bool) -> tuple[Queued | None, bool]:
    """One transaction, committed before anything leaves: the survey locked (rows in doubt
    settled first when ``settle``), then the next touchpoint or reminder worked through up
    to the first message to send, written as ``sending``. The message (or None) and whether
    more may be waiting."""
    async with tenant_session(run.sessions, tenant_id) as session:
        survey = (await session.execute(select(Survey).where(
            Survey.tenant_id == tenant_id, Survey.id == survey_id)
            .with_for_update(skip_locked=True))).scalar_one_or_none()
        if survey is None:
            return None, False
        if settle:
            await _interrupted(session, run, survey)
        if not survey.active:
            return None, False
        now = run.clock()
        senders = await _senders(session, run, tenant_id)
        worked = 0
        if survey.auto_kinds and survey.auto_channel:
            for row in (await session.execute(candidates(survey, now).limit(run.batch))).all():
                worked += 1
                found = await _invite_after(session, run, survey, row, senders)
                if found is not None:
                    return found, True
        if survey.remind_after_days:
            i = SurveyInvitation
            due = (await session.execute(select(i).where(
                i.tenant_id == tenant_id, i.survey_id == survey.id, i.status == "sent",
                i.reminder_status.is_(None),
                i.created_at <= now - timedelta(days=survey.remind_after_days),
                i.expires_at > now).order_by(i.created_at, i.id).limit(run.batch)
                .with_for_update(skip_locked=True))).scalars().all()
            for invitation in due:
                worked += 1
                found = await _remind(session, run, survey, invitation, senders)
                await session.flush()
                if found is not None:
                    return found, True
        return None, worked >= run.batch


async def _senders(session: AsyncSession, run: AutoRun, tenant_id: uuid.UUID) -> Senders:
    from rapport.core.modules.enabled import enabled_modules

    return run.senders_of(await enabled_modules(session, tenant_id))


async def _send(run: AutoRun, tenant_id: uuid.UUID, survey_id: uuid.UUID,
                item: Queued) -> bool:
    senders = run.senders_of(item.actor.modules)
    provider_id, failure = await invitations.deliver(senders, item.outgoing)
    async with tenant_session(run.sessions, tenant_id) as session:
        survey = await session.get(Survey, (tenant_id, survey_id))
        invitation = (await session.execute(select(SurveyInvitation).where(
            SurveyInvitation.tenant_id == tenant_id,
            SurveyInvitation.id == item.invitation_id).with_for_update())).scalar_one_or_none()
        if survey is None or invitation is None:  # deleted meanwhile
            return failure is None
        await invitations.record(session, item.actor, item.hooks, survey, invitation,
                                 item.rendered, provider_id, failure, reminder=item.reminder)
    return failure is None


async def run_tenant(run: AutoRun, tenant_id: uuid.UUID) -> int:
    """Every active survey of one tenant; how many messages were sent."""
    async with tenant_session(run.sessions, tenant_id) as session:
        ids = (await session.execute(select(Survey.id).where(
            Survey.tenant_id == tenant_id,
            or_(func.cardinality(Survey.auto_kinds) > 0, Survey.remind_after_days.is_not(None),
                select(SurveyInvitation.id).where(
                    SurveyInvitation.tenant_id == tenant_id,
                    SurveyInvitation.survey_id == Survey.id,
                    or_(SurveyInvitation.status == "sending",
                        SurveyInvitation.reminder_status == "sending")).exists()))
            .order_by(Survey.id))).scalars().all()
    sent = 0
    for survey_id in ids:
        settle = True
        for _ in range(run.batch):
            item, more = await _next(run, tenant_id, survey_id, settle=settle)
            settle = False
            if item is not None:
                sent += await _send(run, tenant_id, survey_id, item)
            if not more:
                break
    return sent


async def run_due(run: AutoRun, max_tenants: int = 100) -> int:
    """One pass over the tenants with survey work due; how many messages were sent."""
    sent = 0
    for tenant_id in await due_tenants(run.sessions, max_tenants):
        try:
            sent += await run_tenant(run, tenant_id)
        except RapportError as exc:
            log.error("survey invitations failed", tenant=str(tenant_id), error=exc.detail)
    return sent


async def periodic(work: PeriodicWork) -> int:
    run = AutoRun(work.sessions, work.registry, Settings.from_env(),
                  batch=min(work.batch, 100))
    return await run_due(run, work.max_tenants)
