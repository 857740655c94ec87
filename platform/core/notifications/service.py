"""Notification actions: a member reads and marks only their own, in their own tenant.

Every lookup filters by the actor's tenant *and* membership, so another member's
notification id answers 404 exactly like an unknown one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.notifications.models import Notification
from rapport.core.pagination import by_id, check_limit, cut, newest_first
from rapport.db.base import new_id
from rapport.errors import not_found
from rapport.tenancy.principal import Principal


@dataclass(frozen=True)
class NotificationPage:
    items: list[Notification]
    next_cursor: str | None
    unread_count: int


def new_notification(
    tenant_id: uuid.UUID,
    recipient_id: uuid.UUID,
    kind: str,
    title: str,
    *,
    record_type: str | None = None,
    record_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
) -> Notification:
    """An unread notification for member ``recipient_id``, not yet added to a session (its
    id is set, so callers can add many and flush once)."""
    return Notification(
        tenant_id=tenant_id,
        id=new_id(),
        recipient_id=recipient_id,
        kind=kind,
        title=title[:200],
        record_type=record_type,
        record_id=record_id,
        data=data or {},
    )


async def notify(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    recipient_id: uuid.UUID,
    kind: str,
    title: str,
    *,
    record_type: str | None = None,
    record_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
) -> Notification:
    """A new unread notification for member ``recipient_id``, in the caller's transaction."""
    row = new_notification(tenant_id, recipient_id, kind, title, record_type=record_type,
                           record_id=record_id, data=data)
    session.add(row)
    await session.flush()
    return row


def _mine(actor: Principal) -> tuple[Any, ...]:
    return (
        Notification.tenant_id == actor.tenant_id,
        Notification.recipient_id == actor.membership_id,
    )


def list_statement(
    actor: Principal, *, unread: bool | None = None, cursor: str | None = None, limit: int = 50
) -> Select[Notification]:
    """Newest first (exposed so tests can EXPLAIN what the endpoint runs)."""
    query = select(Notification).where(*_mine(actor))
    if unread is True:
        query = query.where(Notification.read_at.is_(None))
    elif unread is False:
        query = query.where(Notification.read_at.is_not(None))
    return newest_first(query, Notification.id, cursor, limit)


async def list_notifications(
    session: AsyncSession,
    actor: Principal,
    *,
    unread: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> NotificationPage:
    check_limit(limit)
    query = list_statement(actor, unread=unread, cursor=cursor, limit=limit)
    page = cut(list((await session.execute(query)).scalars()), limit, by_id)
    unread_count = await session.scalar(
        select(func.count()).where(*_mine(actor), Notification.read_at.is_(None))
    )
    return NotificationPage(page.items, page.next_cursor, unread_count or 0)


async def get_notification(
    session: AsyncSession, actor: Principal, notification_id: uuid.UUID
) -> Notification:
    row = (
        await session.execute(
            select(Notification).where(*_mine(actor), Notification.id == notification_id)
        )
    ).scalar_one_or_none()
    if row is None:
        raise not_found("Notification")
    return row


async def mark_read(
    session: AsyncSession, actor: Principal, notification_id: uuid.UUID
) -> Notification:
    """Read now; a notification already read keeps the time it was first read."""
    row = await get_notification(session, actor, notification_id)
    if row.read_at is None:
        row.read_at = datetime.now(UTC)
        await session.flush()
    return row


async def mark_all_read(session: AsyncSession, actor: Principal) -> int:
    """Every unread notification of the caller's; returns how many were marked."""
    marked = await session.execute(
        update(Notification)
        .where(*_mine(actor), Notification.read_at.is_(None))
        .values(read_at=func.now())
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    return len(marked.all())
