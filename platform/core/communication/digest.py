"""E-mail digests of members' subscriptions: the worker gathers each member's waiting
lines and sends them as one letter once the oldest has waited ``every`` (a day by
default). Lines are locked while a digest is sent (``SKIP LOCKED``), so two workers never
send the same lines; a failed send leaves them waiting for the next pass."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import timedelta

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.core.communication.models import DigestItem
from rapport.core.communication.senders import Outgoing, Senders, SendFailed
from rapport.db.session import tenant_session
from rapport.tenancy.models import Membership, Tenant, User

log = structlog.get_logger("rapport.worker")

EVERY = timedelta(days=1)


async def _send_member(session: AsyncSession, senders: Senders, tenant_id: uuid.UUID,
                       membership_id: uuid.UUID, items: list[DigestItem]) -> bool:
    row = (await session.execute(
        select(User.email, User.full_name, Tenant.name)
        .join(Membership, Membership.user_id == User.id)
        .join(Tenant, Tenant.id == Membership.tenant_id)
        .where(Membership.tenant_id == tenant_id, Membership.id == membership_id))).first()
    if row is None or "email" not in senders:
        return False
    lines = "\n".join(f"- {i.created_at:%Y-%m-%d %H:%M} {i.title}" for i in items)
    body = (f"{row.full_name},\n\n{len(items)} events you follow in {row.name}:\n\n{lines}\n\n"
            "Change what you receive on the subscriptions page of the console.\n")
    message = Outgoing(f"digest-{items[0].id}", "email", row.email,
                       f"{row.name}: {len(items)} events you follow", body)
    try:
        await senders["email"].send(message)
    except SendFailed as exc:
        log.error("digest not sent", membership=str(membership_id), error=str(exc))
        return False
    await session.execute(update(DigestItem).where(
        DigestItem.tenant_id == tenant_id, DigestItem.id.in_([i.id for i in items]),
    ).values(sent_at=func.now()))
    return True


async def send_digests(sessions: async_sessionmaker[AsyncSession], senders: Senders,
                       tenant_ids: list[uuid.UUID], every: timedelta = EVERY) -> int:
    """One digest per member whose oldest waiting line is at least ``every`` old."""
    sent = 0
    for tenant_id in tenant_ids:
        async with tenant_session(sessions, tenant_id) as session:
            due = select(DigestItem.membership_id).where(
                DigestItem.tenant_id == tenant_id, DigestItem.sent_at.is_(None),
            ).group_by(DigestItem.membership_id).having(
                func.min(DigestItem.created_at) <= func.now() - every)
            items = (await session.execute(
                select(DigestItem).where(
                    DigestItem.tenant_id == tenant_id, DigestItem.sent_at.is_(None),
                    DigestItem.membership_id.in_(due),
                ).order_by(DigestItem.membership_id, DigestItem.id)
                .with_for_update(skip_locked=True))).scalars().all()
            by_member: dict[uuid.UUID, list[DigestItem]] = defaultdict(list)
            for item in items:
                by_member[item.membership_id].append(item)
            for membership_id, waiting in by_member.items():
                sent += await _send_member(session, senders, tenant_id, membership_id, waiting)
    return sent
