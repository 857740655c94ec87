"""May we contact this person on this channel about this topic? Every outbound feature asks.

``may_contact`` checks, in order: the do-not-contact flag; the latest opt-in or opt-out for
the channel and topic (no word at all: refused for marketing topics, allowed for
``service``); and, for marketing topics, the frequency cap against the outbound
interactions on that channel. Service messages (receipts, delivery notices) honour
do-not-contact and an explicit opt-out, but not the marketing cap.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, column, exists, func, not_, select, table, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from rapport.core.consent import service
from rapport.core.consent.models import CHANNELS, SERVICE_TOPIC, ConsentEvent, ContactPolicy
from rapport.errors import invalid
from rapport.tenancy.principal import Principal

TOPIC = re.compile(r"[a-z][a-z0-9_]{0,63}")

DO_NOT_CONTACT = "do_not_contact"
OPTED_OUT = "opted_out"
NO_CONSENT = "no_consent"
FREQUENCY_CAP = "frequency_cap"
OPTED_IN = "opted_in"
SERVICE = "service"
REACHABLE = "reachable"

# The interactions table belongs to another kernel area and may not be installed; it is
# looked up by name so consent works (without a cap to count against) where it is absent.
OUTBOUND_TABLE = text("SELECT to_regclass('interactions') IS NOT NULL")
OUTBOUND_COUNT = text(
    "SELECT count(*) FROM interactions"
    " WHERE tenant_id = :tenant AND contact_id = :contact"
    " AND direction = 'outbound' AND channel = :channel"
    " AND occurred_at > now() - make_interval(days => :days)"
)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    detail: str = ""


async def outbound_count(
    session: AsyncSession, actor: Principal, contact_id: uuid.UUID, channel: str, days: int
) -> int | None:
    """Outbound interactions on ``channel`` in the last ``days``; None without the table."""
    if not await session.scalar(OUTBOUND_TABLE):
        return None
    count = await session.scalar(
        OUTBOUND_COUNT,
        {"tenant": actor.tenant_id, "contact": contact_id, "channel": channel, "days": days},
    )
    return int(count or 0)


async def may_contact(
    session: AsyncSession,
    actor: Principal,
    contact_id: uuid.UUID,
    channel: str | None,
    topic: str | None,
) -> Decision:
    """Whether a message on ``channel`` about ``topic`` may go to the contact now, and why.

    Without a channel and a topic the question is whether the contact may be contacted at
    all (only do-not-contact decides: ``reachable``). An unknown contact is 404 before the
    question is checked, so probing another tenant's ids learns nothing from validation.
    """
    await service.require_contact(session, actor, contact_id)
    check_question(channel, topic)
    policy = await service.policy_of(session, actor, contact_id)
    if policy.do_not_contact:
        return Decision(False, DO_NOT_CONTACT, "the contact asked not to be contacted at all")
    if channel is None or topic is None:
        return Decision(True, REACHABLE, "not marked do-not-contact; ask with a channel and "
                        "a topic before sending")
    status = await service.latest_status(session, actor, contact_id, channel, topic)
    if status == "opt_out":
        return Decision(False, OPTED_OUT, f"opted out of {topic} by {channel}")
    if topic == SERVICE_TOPIC:
        return Decision(True, SERVICE, "service messages need no opt-in")
    if status is None:
        return Decision(False, NO_CONSENT, f"no opt-in for {topic} by {channel}")
    if policy.cap_max is not None and policy.cap_days is not None:
        sent = await outbound_count(session, actor, contact_id, channel, policy.cap_days)
        if sent is not None and sent >= policy.cap_max:
            return Decision(
                False,
                FREQUENCY_CAP,
                f"{sent} outbound {channel} messages in the last {policy.cap_days} days "
                f"(at most {policy.cap_max})",
            )
    return Decision(True, OPTED_IN, f"opted in to {topic} by {channel}")


_INTERACTIONS = table(
    "interactions", column("tenant_id"), column("contact_id"), column("direction"),
    column("channel"), column("occurred_at"),
)


def check_question(channel: str | None, topic: str | None) -> None:
    """422 unless ``channel`` and ``topic`` are both absent or both well formed."""
    if channel is not None or topic is not None:
        if channel is None or channel not in CHANNELS:
            raise invalid("channel", f"required with a topic; one of {', '.join(CHANNELS)}")
        if topic is None or not TOPIC.fullmatch(topic):
            raise invalid("topic", "required with a channel; lowercase letters, digits, '_'")


def may_contact_condition(
    tenant_id: uuid.UUID, contact_id: Any, channel: str | None, topic: str | None
) -> ColumnElement[bool]:
    """``may_contact``'s rules as one SQL condition over a column of contact ids (segments
    select whole audiences with it): the same order and the same outcome as
    :func:`may_contact` for every contact — do-not-contact; the latest word for the channel
    and topic (no word: refused for marketing topics, allowed for ``service``); the
    frequency cap on outbound interactions for marketing topics. Each part probes its
    tenant-led index for the one contact; tests hold the two to agreement."""
    check_question(channel, topic)
    policy = ContactPolicy.__table__
    flagged = exists().where(
        policy.c.tenant_id == tenant_id, policy.c.contact_id == contact_id,
        policy.c.do_not_contact.is_(True),
    )
    if channel is None or topic is None:
        return not_(flagged)
    latest = (
        select(ConsentEvent.status)
        .where(ConsentEvent.tenant_id == tenant_id, ConsentEvent.contact_id == contact_id,
               ConsentEvent.channel == channel, ConsentEvent.topic == topic)
        .order_by(ConsentEvent.occurred_at.desc(), ConsentEvent.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    if topic == SERVICE_TOPIC:
        return and_(not_(flagged), func.coalesce(latest, "") != "opt_out")
    sent = (
        select(func.count())
        .select_from(_INTERACTIONS)
        .where(
            _INTERACTIONS.c.tenant_id == tenant_id,
            _INTERACTIONS.c.contact_id == contact_id,
            _INTERACTIONS.c.direction == "outbound",
            _INTERACTIONS.c.channel == channel,
            _INTERACTIONS.c.occurred_at
            > func.now() - func.make_interval(0, 0, 0, policy.c.frequency_days),
        )
        # The policy row and the contact are the enclosing statement's, never joined here.
        .correlate_except(_INTERACTIONS)
        .scalar_subquery()
    )
    capped = exists().where(
        policy.c.tenant_id == tenant_id, policy.c.contact_id == contact_id,
        policy.c.frequency_max.is_not(None), sent >= policy.c.frequency_max,
    )
    return and_(not_(flagged), latest == "opt_in", not_(capped))
