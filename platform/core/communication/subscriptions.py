"""Members' subscriptions: which events reach a member (MISSION point 3) and how — an
in-app notification at once, or a line in an e-mail digest the worker sends.

Event types are the kernel's own (below) and those enabled plugins declare with
``rapport_subscription_events``. Events are handed over after commit, by the outbox
worker, a batch of one name at a time (``rapport_events_committed``), so a request never
waits for subscribers and a batch costs a few set-based reads. A member
is not told about what they did themselves; ``scope`` ``own`` limits the events to
contacts the member owns (their key customers).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.communication.models import DigestItem, MemberSignature, MemberSubscription
from rapport.core.contacts.models import Contact
from rapport.core.events.models import OutboxEvent
from rapport.core.notifications import new_notification
from rapport.db.base import new_id
from rapport.errors import conflict, invalid, not_found
from rapport.hooks import DomainEvent, PluginRegistry, SubscriptionEvent
from rapport.tenancy.models import Membership
from rapport.tenancy.principal import Principal

NOTIFICATION_KIND = "subscription"
KERNEL_EVENTS = (
    SubscriptionEvent("transaction.recorded", {
        "en": "A customer's purchase", "uk": "Покупка клієнта", "ru": "Покупка клиента"}),
    SubscriptionEvent("deal.stage_changed", {
        "en": "A deal moved to another stage", "uk": "Угода перейшла на інший етап",
        "ru": "Сделка перешла на другой этап"}),
    SubscriptionEvent("consent.changed", {
        "en": "A customer's consent changed", "uk": "Змінилася згода клієнта",
        "ru": "Изменилось согласие клиента"}),
    SubscriptionEvent("contact.created", {
        "en": "A new contact", "uk": "Новий контакт", "ru": "Новый контакт"}),
)


def event_types(registry: PluginRegistry, modules: frozenset[str]) -> list[tuple[str,
                                                                                 SubscriptionEvent]]:
    """(source, type) for the kernel's and the tenant's enabled plugins' types."""
    return [("kernel", e) for e in KERNEL_EVENTS] + [
        (source, e) for source, e in registry.declared("rapport_subscription_events", modules)
        if isinstance(e, SubscriptionEvent)
    ]


async def mine(session: AsyncSession, actor: Principal) -> list[MemberSubscription]:
    return list((await session.execute(select(MemberSubscription).where(
        MemberSubscription.tenant_id == actor.tenant_id,
        MemberSubscription.membership_id == actor.membership_id,
    ).order_by(MemberSubscription.event_type, MemberSubscription.delivery))).scalars())


async def subscribe(session: AsyncSession, actor: Principal, registry: PluginRegistry,
                    values: dict[str, Any]) -> MemberSubscription:
    known = {e.name for _, e in event_types(registry, actor.modules)}
    if values["event_type"] not in known:
        raise invalid("event_type", f"not an event one may subscribe to; one of "
                      f"{', '.join(sorted(known))}")
    row = MemberSubscription(tenant_id=actor.tenant_id, membership_id=actor.membership_id,
                             **values)
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        raise conflict("Already subscribed to this event this way") from None
    return row


async def unsubscribe(session: AsyncSession, actor: Principal,
                      subscription_id: uuid.UUID) -> None:
    row = (await session.execute(select(MemberSubscription).where(
        MemberSubscription.tenant_id == actor.tenant_id,
        MemberSubscription.membership_id == actor.membership_id,
        MemberSubscription.id == subscription_id,
    ))).scalar_one_or_none()
    if row is None:
        raise not_found("Subscription")
    await session.delete(row)
    await session.flush()


async def signature(session: AsyncSession, actor: Principal) -> str:
    found = await session.scalar(select(MemberSignature.signature).where(
        MemberSignature.tenant_id == actor.tenant_id,
        MemberSignature.membership_id == actor.membership_id))
    return found or ""


async def set_signature(session: AsyncSession, actor: Principal, text: str) -> str:
    await session.execute(
        insert(MemberSignature)
        .values(tenant_id=actor.tenant_id, id=new_id(), membership_id=actor.membership_id,
                signature=text.strip())
        .on_conflict_do_update(index_elements=["tenant_id", "membership_id"],
                               set_={"signature": text.strip()})
    )
    return text.strip()


def _contact_of(event: DomainEvent) -> uuid.UUID | None:
    if event.record_type == "contact":
        return event.record_id
    found = event.payload.get("contact_id") if isinstance(event.payload, dict) else None
    try:
        return uuid.UUID(str(found)) if found else None
    except ValueError:
        return None


def _title(event: DomainEvent) -> str:
    payload = event.payload if isinstance(event.payload, dict) else {}
    for key in ("title", "display_name", "name", "subject"):
        if payload.get(key):
            return f"{event.name}: {payload[key]}"[:300]
    return event.name


async def deliver(events: list[DomainEvent]) -> int:
    """Hand a batch of committed events (one name, one tenant) to their subscribers, in a
    few set-based reads whatever the batch's size; how many notices were made."""
    if not events:
        return 0
    first = events[0]
    session, tenant_id = first.session, first.tenant_id
    subs = (await session.execute(
        select(MemberSubscription, Membership.user_id)
        .join(Membership, (Membership.tenant_id == MemberSubscription.tenant_id)
              & (Membership.id == MemberSubscription.membership_id))
        .where(MemberSubscription.tenant_id == tenant_id,
               MemberSubscription.event_type == first.name)
    )).all()
    if not subs:
        return 0
    contacts = {e.id: _contact_of(e) for e in events}
    wanted = [c for c in contacts.values() if c is not None]
    owners: dict[Any, Any] = {}
    if wanted:
        owners = dict((await session.execute(select(Contact.id, Contact.owner_id).where(
            Contact.tenant_id == tenant_id, Contact.id.in_(wanted)))).all())
    # Handed over after commit, events carry no principal; the outbox kept who did it.
    ids = [e.id for e in events if e.id is not None]
    actors: dict[Any, Any] = {}
    if ids:
        actors = dict((await session.execute(
            select(OutboxEvent.id, OutboxEvent.actor_user_id)
            .where(OutboxEvent.tenant_id == tenant_id, OutboxEvent.id.in_(ids))
        )).all())
    told = 0
    for event in events:
        contact_id = contacts[event.id]
        owner = owners.get(contact_id) if contact_id is not None else None
        actor_user = event.actor.user_id if event.actor is not None else actors.get(event.id)
        title = _title(event)
        for sub, user_id in subs:
            if user_id == actor_user or (sub.scope == "own" and owner != user_id):
                continue
            if sub.delivery == "in_app":
                session.add(new_notification(
                    tenant_id, sub.membership_id, NOTIFICATION_KIND, title,
                    record_type=event.record_type, record_id=event.record_id,
                    data={"event": event.name, "event_id": str(event.id) if event.id else None,
                          "contact_id": str(contact_id) if contact_id else None}))
            else:
                session.add(DigestItem(tenant_id=tenant_id, membership_id=sub.membership_id,
                                       event_type=event.name, title=title,
                                       record_type=event.record_type,
                                       record_id=event.record_id))
            told += 1
    await session.flush()
    return told
