"""Consent actions: record what a contact agreed to (a history, never overwritten), read the
current word per channel and topic, and set the contact policy (do-not-contact, cap).

Every lookup is scoped by the acting principal's tenant; a contact of another tenant is
"not found". Changes are written to the contact's audit log (actions ``consent`` and
``update``) and emitted as ``consent.changed`` / ``contact.policy_changed``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeAlias

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit
from rapport.core.consent.models import ConsentEvent, ContactPolicy
from rapport.core.contacts.models import Contact
from rapport.core.events import emit
from rapport.core.pagination import Page, by_id, check_limit, cut, newest_first
from rapport.errors import invalid, not_found
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal

CONSENT_CHANGED = "consent.changed"
POLICY_CHANGED = "contact.policy_changed"
CONSENT_ACTION = "consent"
# A clock a little ahead on the client's side is not "the future".
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Policy:
    do_not_contact: bool = False
    cap_max: int | None = None
    cap_days: int | None = None

    @property
    def cap(self) -> dict[str, int] | None:
        if self.cap_max is None or self.cap_days is None:
            return None
        return {"max": self.cap_max, "per_days": self.cap_days}


@dataclass(frozen=True)
class Consents:
    policy: Policy
    latest: list[ConsentEvent]


HistoryPage: TypeAlias = Page[ConsentEvent]


async def require_contact(session: AsyncSession, actor: Principal, contact_id: uuid.UUID) -> None:
    found = await session.scalar(
        select(Contact.id).where(Contact.tenant_id == actor.tenant_id, Contact.id == contact_id,
                                 Contact.deleted_at.is_(None))
    )
    if found is None:
        raise not_found("Contact")


async def policy_of(session: AsyncSession, actor: Principal, contact_id: uuid.UUID) -> Policy:
    row = (
        await session.execute(
            select(ContactPolicy).where(
                ContactPolicy.tenant_id == actor.tenant_id, ContactPolicy.contact_id == contact_id
            )
        )
    ).scalar_one_or_none()
    if row is None:
        return Policy()
    return Policy(row.do_not_contact, row.frequency_max, row.frequency_days)


def latest_statement(
    tenant_id: uuid.UUID,
    contact_id: uuid.UUID,
    channel: str | None = None,
    topic: str | None = None,
) -> Select[ConsentEvent]:
    """The latest event per (channel, topic) — what the contact said last — read from the
    front of the (tenant_id, contact_id, channel, topic, occurred_at DESC, id DESC) index."""
    query = select(ConsentEvent).where(
        ConsentEvent.tenant_id == tenant_id, ConsentEvent.contact_id == contact_id
    )
    if channel is not None:
        query = query.where(ConsentEvent.channel == channel)
    if topic is not None:
        query = query.where(ConsentEvent.topic == topic)
    return query.ext(distinct_on(ConsentEvent.channel, ConsentEvent.topic)).order_by(
        ConsentEvent.channel,
        ConsentEvent.topic,
        ConsentEvent.occurred_at.desc(),
        ConsentEvent.id.desc(),
    )


async def latest_status(
    session: AsyncSession, actor: Principal, contact_id: uuid.UUID, channel: str, topic: str
) -> str | None:
    query = latest_statement(actor.tenant_id, contact_id, channel, topic)
    event = (await session.execute(query)).scalars().first()
    return None if event is None else event.status


async def current(session: AsyncSession, actor: Principal, contact_id: uuid.UUID) -> Consents:
    await require_contact(session, actor, contact_id)
    latest = list((await session.execute(latest_statement(actor.tenant_id, contact_id))).scalars())
    return Consents(await policy_of(session, actor, contact_id), latest)


async def record_consent(
    session: AsyncSession,
    actor: Principal,
    contact_id: uuid.UUID,
    data: dict[str, Any],
    hooks: TenantHooks,
) -> ConsentEvent:
    """Append an opt-in or opt-out. A backdated entry older than the latest word for its
    channel and topic joins the history without changing the current state."""
    actor.require_writer()
    await require_contact(session, actor, contact_id)
    now = datetime.now(UTC)
    occurred_at = data.get("occurred_at") or now
    if occurred_at > now + CLOCK_SKEW:
        raise invalid("occurred_at", "must not be in the future")
    source = data["source"].strip()
    if not source:
        raise invalid("source", "must not be blank")
    channel, topic = data["channel"], data["topic"]
    before = await latest_status(session, actor, contact_id, channel, topic)
    event = ConsentEvent(
        tenant_id=actor.tenant_id,
        contact_id=contact_id,
        channel=channel,
        topic=topic,
        status=data["status"],
        source=source,
        note=(data.get("note") or "").strip() or None,
        occurred_at=occurred_at,
        recorded_by=actor.user_id,
    )
    session.add(event)
    await session.flush()
    await session.refresh(event)
    after = await latest_status(session, actor, contact_id, channel, topic)
    key = f"consent.{channel}.{topic}"
    detail = {"event_id": event.id, "status": event.status, "source": source,
              "occurred_at": occurred_at}
    await audit.record(session, actor, CONSENT_ACTION, "contact", contact_id,
                       audit.diff({key: before}, {key: after}), detail)
    await emit(session, actor, hooks, CONSENT_CHANGED, "contact", contact_id,
               audit.jsonable({"channel": channel, "topic": topic, "status": event.status,
                               "current": after, "source": source,
                               "occurred_at": occurred_at}))
    return event


async def set_policy(
    session: AsyncSession,
    actor: Principal,
    contact_id: uuid.UUID,
    policy: Policy,
    hooks: TenantHooks,
) -> Policy:
    """Replace the contact's policy (an upsert: one row per contact)."""
    actor.require_writer()
    await require_contact(session, actor, contact_id)
    before = await policy_of(session, actor, contact_id)
    values = {
        "do_not_contact": policy.do_not_contact,
        "frequency_max": policy.cap_max,
        "frequency_days": policy.cap_days,
        "updated_by": actor.user_id,
        "updated_at": datetime.now(UTC),
    }
    statement = pg_insert(ContactPolicy).values(
        tenant_id=actor.tenant_id, contact_id=contact_id, **values
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[ContactPolicy.tenant_id, ContactPolicy.contact_id], set_=values
        )
    )
    changed = audit.diff(
        {"policy.do_not_contact": before.do_not_contact, "policy.frequency_cap": before.cap},
        {"policy.do_not_contact": policy.do_not_contact, "policy.frequency_cap": policy.cap},
    )
    if changed:
        await audit.record(session, actor, audit.UPDATE, "contact", contact_id, changed)
        await emit(session, actor, hooks, POLICY_CHANGED, "contact", contact_id,
                   {"do_not_contact": policy.do_not_contact,
                    "frequency_cap": policy.cap, "changes": changed})
    return policy


async def history(
    session: AsyncSession,
    actor: Principal,
    contact_id: uuid.UUID,
    *,
    cursor: str | None = None,
    limit: int = 50,
) -> HistoryPage:
    """Every consent event of the contact, most recently recorded first."""
    check_limit(limit)
    await require_contact(session, actor, contact_id)
    query = select(ConsentEvent).where(
        ConsentEvent.tenant_id == actor.tenant_id, ConsentEvent.contact_id == contact_id
    )
    query = newest_first(query, ConsentEvent.id, cursor, limit)
    rows = list((await session.execute(query)).scalars())
    return cut(rows, limit, by_id)
