"""The worker's side of campaigns: queue the audience once, then send in batches —
resumable, with progress, nothing sent twice, nobody sent anything they may not receive.

For each due campaign of a tenant:

1. *Queue* (once, when it leaves ``scheduled``): one ``INSERT … SELECT`` of the audience
   into ``campaign_messages``; the unique key (campaign, contact) means a contact is queued
   once whatever happens later.
2. *Claim* a batch of pending messages (``FOR UPDATE SKIP LOCKED``, a lease in
   ``claimed_at``), so several workers share a campaign without overlapping.
3. For each claimed message, in its own transaction right before sending: ask ``decide``
   (the kernel's ``may_contact``, an address, the campaign's cap) — refused: ``skipped``
   with the reason; render — failing: ``failed``; else mark it ``sending`` and commit.
4. Send, then in one transaction: ``sent``, the provider's id, and an outbound interaction
   on the contact's timeline. A send the provider refused for good is ``failed``; one it
   refused for now (``SendFailed(temporary=True)``: an SMTP 4xx, a gateway's 5xx or
   time-out) goes back to ``pending`` with ``due_at`` later (backoff), up to
   ``MAX_ATTEMPTS``; every attempt is kept in ``attempt_log``. Every attempt carries our
   message id, so a provider can drop a repeat of one it did receive.

A campaign sent "in each contact's window" queues each message with ``due_at``, the first
moment of the contact's window at or after ``send_at`` (``windows``); the claim takes only
messages due by the run's clock. When the campaign and the tenant track, links are
rewritten to signed click links and HTML letters carry an open pixel (``tracking``).

A process killed between 3 and 4 leaves one message ``sending``: the next pass does not
know whether it left, so it marks it ``failed`` (``interrupted``) instead of sending it
again — at most once, never twice. Messages only claimed go back to the queue when their
lease ends.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.core.communication import links, tracking
from rapport.core.communication import variables as vars_
from rapport.core.communication.audience import audience_condition, decide
from rapport.core.communication.models import Campaign, CampaignMessage, MessageTemplate
from rapport.core.communication.rendering import Rendered, render
from rapport.core.communication.senders import Outgoing, Senders, SendFailed, senders_for
from rapport.core.contacts import windows
from rapport.core.contacts.models import Contact, ContactSettings
from rapport.core.interactions.service import log_interaction
from rapport.core.modules import acting_member
from rapport.core.segments.service import vocabulary
from rapport.db.base import new_id
from rapport.db.session import tenant_session
from rapport.errors import RapportError
from rapport.hooks import PluginRegistry, TenantHooks
from rapport.settings import Settings
from rapport.tenancy.models import Membership, Tenant, User
from rapport.tenancy.principal import Principal

log = structlog.get_logger("rapport.worker")

LEASE = timedelta(minutes=10)
QUEUE_CHUNK = 1000
INTERACTION_KIND = {"email": "email", "sms": "message", "messenger": "message"}
MAX_ATTEMPTS = 5
# Wait before attempt 2, 3, 4, 5 after a temporary refusal.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
           timedelta(hours=2))


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Run:
    """What one pass needs: where to open transactions, the plugins, the settings (base URL
    and key for unsubscribe and tracking links), the senders per channel (None: each
    tenant's from the ``rapport_senders`` declarations), the pass's limits, the backoff
    between attempts and the clock (messages due by it are claimed)."""

    sessions: async_sessionmaker[AsyncSession]
    registry: PluginRegistry
    settings: Settings
    senders: Senders | None = None
    batch: int = 100
    batches: int = 10
    lease: timedelta = LEASE
    max_attempts: int = MAX_ATTEMPTS
    backoff: tuple[timedelta, ...] = BACKOFF
    clock: Callable[[], datetime] = field(default=_now)

    def senders_of(self, enabled: frozenset[str]) -> Senders:
        if self.senders is not None:
            return self.senders
        return senders_for(self.registry, self.settings, enabled)

    def wait(self, attempts: int) -> timedelta:
        return self.backoff[min(attempts, len(self.backoff)) - 1] if self.backoff \
            else timedelta(0)


@dataclass
class Context:
    campaign: Campaign
    template: MessageTemplate
    actor: Principal
    hooks: TenantHooks
    sender: vars_.Sender


@dataclass(frozen=True)
class Plan:
    """What sending one batch needs, read once per batch (not per message): the campaign
    and template values, the acting member, the tenant's hooks, the sender's name."""

    tenant_id: uuid.UUID
    campaign_id: uuid.UUID
    name: str
    cap: tuple[int, int] | None
    channel: str
    topic: str
    language: str
    subject: str | None
    body: str
    actor: Principal
    hooks: TenantHooks
    sender: vars_.Sender
    senders: Senders
    tracking: bool

    @classmethod
    def of(cls, ctx: Context, senders: Senders, tracks: bool) -> Plan:
        c, t = ctx.campaign, ctx.template
        cap = (c.cap_max, c.cap_days) if c.cap_max is not None and c.cap_days is not None \
            else None
        return cls(c.tenant_id, c.id, c.name, cap, t.channel, t.topic, t.language, t.subject,
                   t.body, ctx.actor, ctx.hooks, ctx.sender, senders, tracks and c.tracking)


async def tenant_tracks(session: AsyncSession, tenant_id: uuid.UUID) -> bool:
    """The tenant's privacy switch (contact settings' ``tracking``; on unless set off)."""
    found = await session.scalar(select(ContactSettings.tracking).where(
        ContactSettings.tenant_id == tenant_id))
    return found is not False


async def _due_at(session: AsyncSession, campaign: Campaign,
                  ids: list[uuid.UUID]) -> dict[uuid.UUID, datetime]:
    """Each contact's first moment in their window at/after ``send_at`` (their zone, else
    the tenant's)."""
    fallback = await session.scalar(select(ContactSettings.time_zone).where(
        ContactSettings.tenant_id == campaign.tenant_id))
    start = campaign.send_at or datetime.now(UTC)
    out: dict[uuid.UUID, datetime] = {}
    for chunk in range(0, len(ids), QUEUE_CHUNK):
        rows = await session.execute(
            select(Contact.id, Contact.time_zone, Contact.window_start, Contact.window_end,
                   Contact.window_days)
            .where(Contact.tenant_id == campaign.tenant_id,
                   Contact.id.in_(ids[chunk:chunk + QUEUE_CHUNK])))
        for contact_id, zone, begin, end, days in rows:
            out[contact_id] = windows.first_moment(start, windows.zone(zone, fallback),
                                                   begin, end, days)
    return out


async def due_tenants(sessions: async_sessionmaker[AsyncSession], n: int) -> list[uuid.UUID]:
    async with tenant_session(sessions, None) as session:
        rows = await session.execute(text("SELECT rapport_campaign_due_tenants(:n)"), {"n": n})
        return list(rows.scalars())


def _due(tenant_id: uuid.UUID) -> Any:
    return (Campaign.tenant_id == tenant_id,
            Campaign.status.in_(("scheduled", "sending")),
            or_(Campaign.send_at.is_(None), Campaign.send_at <= func.now()))


async def _context(session: AsyncSession, run: Run, campaign: Campaign) -> Context | str:
    """The campaign's template, the member it is sent in the name of (as a principal),
    and the tenant's hooks; or why it cannot be sent."""
    template = await session.get(MessageTemplate, (campaign.tenant_id, campaign.template_id))
    if template is None:
        return "the template is gone"
    if campaign.sender_id is None:
        return "the member who scheduled it is no longer a member"
    row = (await session.execute(
        select(Membership, User, Tenant).join(User, User.id == Membership.user_id)
        .join(Tenant, Tenant.id == Membership.tenant_id)
        .where(Membership.tenant_id == campaign.tenant_id, Membership.id == campaign.sender_id)
    )).first()
    if row is None:
        return "the member who scheduled it is no longer a member"
    actor = await acting_member(session, run.registry, row[2], row[0], row[1])
    if not actor.can_write:
        return "the member who scheduled it may no longer send"
    sender = await vars_.sender_of(session, campaign.tenant_id, campaign.sender_id)
    assert sender is not None
    hooks = run.registry.for_tenant(actor.modules)
    return Context(campaign, template, actor, hooks, sender)


async def _queue(session: AsyncSession, run: Run, ctx: Context) -> None:
    """Put the audience in the queue (once: the unique key drops repeats) and start."""
    c = ctx.campaign
    declared = run.registry.declared("rapport_fields", ctx.actor.modules)
    words = await vocabulary(session, ctx.actor, [d for _, d in declared], run.registry)
    values = {"segment_id": c.segment_id, "definition": c.definition}
    condition = await audience_condition(session, ctx.actor, words, values)
    ids = list((await session.execute(select(Contact.id).where(condition)
                                      .order_by(Contact.id))).scalars().all())
    due = await _due_at(session, c, ids) if c.in_contact_window else {}
    for start in range(0, len(ids), QUEUE_CHUNK):
        rows = [{"tenant_id": c.tenant_id, "id": new_id(), "campaign_id": c.id,
                 "contact_id": contact_id, "due_at": due.get(contact_id)}
                for contact_id in ids[start:start + QUEUE_CHUNK]]
        await session.execute(insert(CampaignMessage).values(rows).on_conflict_do_nothing())
    c.status = "sending"
    c.started_at = datetime.now(UTC)


async def _claim(session: AsyncSession, run: Run, campaign: Campaign) -> list[uuid.UUID]:
    """Lease a batch of pending messages; messages another worker holds are skipped."""
    stale = func.now() - run.lease
    # A message left ``sending`` past its lease may have left: never send it again.
    await session.execute(
        update(CampaignMessage)
        .where(CampaignMessage.tenant_id == campaign.tenant_id,
               CampaignMessage.campaign_id == campaign.id,
               CampaignMessage.status == "sending", CampaignMessage.claimed_at <= stale)
        .values(status="failed", reason="interrupted",
                detail="sending was interrupted; not sent again, it may have left")
    )
    ids = (await session.execute(
        select(CampaignMessage.id)
        .where(CampaignMessage.tenant_id == campaign.tenant_id,
               CampaignMessage.campaign_id == campaign.id,
               CampaignMessage.status == "pending",
               or_(CampaignMessage.due_at.is_(None), CampaignMessage.due_at <= run.clock()),
               or_(CampaignMessage.claimed_at.is_(None), CampaignMessage.claimed_at <= stale))
        .order_by(CampaignMessage.id).limit(run.batch)
        .with_for_update(skip_locked=True)
    )).scalars().all()
    if ids:
        await session.execute(
            update(CampaignMessage)
            .where(CampaignMessage.tenant_id == campaign.tenant_id,
                   CampaignMessage.id.in_(ids))
            .values(claimed_at=func.now())
        )
    return list(ids)


async def _finish_if_done(session: AsyncSession, campaign: Campaign) -> None:
    left = await session.scalar(select(func.count()).select_from(CampaignMessage).where(
        CampaignMessage.tenant_id == campaign.tenant_id,
        CampaignMessage.campaign_id == campaign.id,
        CampaignMessage.status.in_(("pending", "sending"))))
    if not left:
        campaign.status = "sent"
        campaign.finished_at = datetime.now(UTC)


@dataclass(frozen=True)
class Prepared:
    message_id: uuid.UUID
    contact_id: uuid.UUID
    outgoing: Outgoing
    rendered: Rendered


async def _prepare(session: AsyncSession, run: Run, plan: Plan,
                   message_id: uuid.UUID) -> Prepared | None:
    """Decide and render one claimed message and mark it ``sending``; None when it is
    skipped, failed, or no longer to be sent (the campaign was cancelled meanwhile)."""
    status = await session.scalar(select(Campaign.status).where(
        Campaign.tenant_id == plan.tenant_id, Campaign.id == plan.campaign_id))
    if status != "sending":
        return None
    message = (await session.execute(select(CampaignMessage).where(
        CampaignMessage.tenant_id == plan.tenant_id, CampaignMessage.id == message_id,
        CampaignMessage.status == "pending",
    ).with_for_update())).scalar_one_or_none()
    if message is None:
        return None
    verdict = await decide(session, plan.actor, message.contact_id, plan.channel, plan.topic,
                           plan.cap)
    if not verdict.allowed:
        message.status, message.reason, message.detail = "skipped", verdict.reason, verdict.detail
        return None
    unsubscribe = links.url(run.settings.base_url, run.settings.secret_key, plan.tenant_id,
                            message.id)
    try:
        contact = await vars_.contact_values(session, plan.tenant_id, message.contact_id)
        variables = await vars_.variables_for(session, plan.hooks, plan.tenant_id, contact,
                                              plan.sender, plan.language, unsubscribe)
        rendered = render(plan.subject, plan.body, variables)
    except RapportError as exc:
        message.status, message.reason, message.detail = "failed", "render", exc.detail
        return None
    if plan.channel not in plan.senders:
        message.status, message.reason = "failed", "no_sender"
        message.detail = f"no sender is configured for {plan.channel}"
        return None
    message.status, message.address, message.subject = "sending", verdict.address, rendered.subject
    message.claimed_at = datetime.now(UTC)
    email = plan.channel == "email"
    shaped = (tracking.rewrite(run.settings.base_url, run.settings.secret_key, plan.tenant_id,
                               message.id, rendered.body, keep=unsubscribe, pixel=email)
              if plan.tracking else tracking.untracked(rendered.body))
    message.links = shaped.links or None
    outgoing = Outgoing(str(message.id), plan.channel, verdict.address or "", rendered.subject,
                        shaped.body, unsubscribe if email else None,
                        html=shaped.html if email else None)
    return Prepared(message.id, message.contact_id, outgoing, rendered)


async def _record(session: AsyncSession, run: Run, plan: Plan, prepared: Prepared,
                  provider_id: str | None, failure: SendFailed | None) -> None:
    message = (await session.execute(select(CampaignMessage).where(
        CampaignMessage.tenant_id == plan.tenant_id, CampaignMessage.id == prepared.message_id,
    ).with_for_update())).scalar_one()
    attempt = message.attempts + 1
    now = datetime.now(UTC)
    entry: dict[str, Any] = {"attempt": attempt, "at": now.isoformat(), "result": "sent"}
    values: dict[str, Any]
    if failure is not None:
        error = str(failure)[:2000]
        entry.update(error=error, temporary=failure.temporary)
        if failure.temporary and attempt < run.max_attempts:
            due = run.clock() + run.wait(attempt)
            entry["result"] = "retry"
            values = {"status": "pending", "reason": "retrying", "detail": error,
                      "due_at": due, "claimed_at": None}
        else:
            entry["result"] = "failed"
            detail = (f"refused {attempt} times, the last: {error}" if failure.temporary
                      else error)
            values = {"status": "failed", "reason": "rejected", "detail": detail[:2000]}
    else:
        interaction = await log_interaction(session, plan.actor, {
            "contact_id": prepared.contact_id, "kind": INTERACTION_KIND[plan.channel],
            "channel": plan.channel, "direction": "outbound",
            "subject": (prepared.rendered.subject or plan.name)[:200],
            "notes": prepared.rendered.body[:100_000], "campaign": plan.name[:200],
            "member_id": plan.sender.user_id,
        }, plan.hooks)
        values = {"status": "sent", "sent_at": func.now(), "provider_id": provider_id,
                  "interaction_id": interaction.id, "reason": None, "detail": None}
    values.update(attempts=attempt, attempt_log=[*message.attempt_log, entry])
    await session.execute(update(CampaignMessage).where(
        CampaignMessage.tenant_id == plan.tenant_id, CampaignMessage.id == prepared.message_id,
    ).values(**values))


async def _one(run: Run, plan: Plan, message_id: uuid.UUID) -> bool:
    """Prepare, send and record one message; True when it was sent."""
    async with tenant_session(run.sessions, plan.tenant_id) as session:
        prepared = await _prepare(session, run, plan, message_id)
    if prepared is None:
        return False
    failure: SendFailed | None = None
    provider_id: str | None = None
    try:
        provider_id = await plan.senders[prepared.outgoing.channel].send(prepared.outgoing)
    except SendFailed as exc:
        failure = exc
    async with tenant_session(run.sessions, plan.tenant_id) as session:
        await _record(session, run, plan, prepared, provider_id, failure)
    return failure is None


async def send_campaign(run: Run, tenant_id: uuid.UUID, campaign_id: uuid.UUID) -> int:
    """Up to ``run.batches`` batches of one campaign; how many messages were handled
    (sent, skipped or failed)."""
    handled = 0
    for _ in range(run.batches):
        async with tenant_session(run.sessions, tenant_id) as session:
            campaign = (await session.execute(
                select(Campaign).where(Campaign.tenant_id == tenant_id,
                                       Campaign.id == campaign_id, *_due(tenant_id))
                .with_for_update(skip_locked=True))).scalar_one_or_none()
            if campaign is None:
                return handled
            ctx = await _context(session, run, campaign)
            if isinstance(ctx, str):
                campaign.status, campaign.error = "failed", ctx
                campaign.finished_at = datetime.now(UTC)
                return handled
            if campaign.status == "scheduled":
                await _queue(session, run, ctx)
            claimed = await _claim(session, run, campaign)
            if not claimed:
                await _finish_if_done(session, campaign)
                return handled
            plan = Plan.of(ctx, run.senders_of(ctx.actor.modules),
                           await tenant_tracks(session, tenant_id))
        for message_id in claimed:
            await _one(run, plan, message_id)
        handled += len(claimed)
    return handled


async def send_due(run: Run, max_tenants: int = 100) -> int:
    """One pass over every tenant with campaigns due; how many messages were handled."""
    handled = 0
    for tenant_id in await due_tenants(run.sessions, max_tenants):
        async with tenant_session(run.sessions, tenant_id) as session:
            ids = (await session.execute(select(Campaign.id).where(*_due(tenant_id))
                                         .order_by(Campaign.send_at))).scalars().all()
        for campaign_id in ids:
            try:
                handled += await send_campaign(run, tenant_id, campaign_id)
            except RapportError as exc:
                log.error("campaign failed", campaign=str(campaign_id), error=exc.detail)
                await _fail(run, tenant_id, campaign_id, exc.detail)
    return handled


async def _fail(run: Run, tenant_id: uuid.UUID, campaign_id: uuid.UUID, why: str) -> None:
    async with tenant_session(run.sessions, tenant_id) as session:
        await session.execute(update(Campaign).where(
            Campaign.tenant_id == tenant_id, Campaign.id == campaign_id,
        ).values(status="failed", error=why, finished_at=func.now()))


