"""Task reminders, delivered: when a task's ``remind_at`` comes, the worker gives its
assignee (or its creator, when nobody is assigned) one in-app notification and emits
``task.reminder_due`` through the outbox, in one transaction.

Exactly once per armed reminder, with any number of workers: a pass *claims* due tasks
(``SELECT … FOR UPDATE SKIP LOCKED``, then ``UPDATE … SET reminded_at … RETURNING`` in
the same transaction), so a second worker skips rows being claimed and no longer matches
rows already claimed. Changing ``remind_at`` or reopening the task clears ``reminded_at``
(re-arms it); a task completed before its time is never reminded. A reminder whose
plugin handler fails is re-armed after a growing delay (``reminder_retry_at``: 2 s, 4 s,
… an hour), the outbox's backoff.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Row, Select, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.core import audit
from rapport.core.events import emit
from rapport.core.events.retry import backoff
from rapport.core.modules.enabled import enabled_modules
from rapport.core.notifications import Notification, new_notification
from rapport.core.tasks.models import Task
from rapport.db.session import tenant_session
from rapport.hooks import TASK_REMINDER_DUE, PluginHookError, PluginRegistry, TenantHooks
from rapport.tenancy.models import Membership

log = structlog.get_logger("rapport.worker")

NOTIFICATION_KIND = "task.reminder"


def due_statement(tenant_id: uuid.UUID, batch: int) -> Select[Any]:
    """Lock up to ``batch`` due reminders of one tenant, skipping rows another worker holds
    (read through the partial index of armed reminders)."""
    return (
        select(Task.id)
        .where(
            Task.tenant_id == tenant_id,
            Task.remind_at <= func.now(),
            Task.reminded_at.is_(None),
            Task.done_at.is_(None),
            or_(Task.reminder_retry_at.is_(None), Task.reminder_retry_at <= func.now()),
        )
        .order_by(Task.remind_at)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )


def claim_statement(tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> Any:
    """Mark the locked tasks reminded and return what a reminder needs (a primary-key
    lookup: the planner cannot misjudge it, unlike a join to the locking subquery)."""
    return (
        update(Task)
        .where(Task.tenant_id == tenant_id, Task.id.in_(ids))
        # Being reminded is not an edit: updated_at keeps the last change a person made.
        .values(reminded_at=func.now(), reminder_retry_at=None, updated_at=Task.updated_at)
        .returning(
            Task.id, Task.title, Task.remind_at, Task.due_at, Task.assignee_id,
            Task.created_by, Task.contact_id, Task.deal_id, Task.reminder_failures,
        )
        .execution_options(synchronize_session=False)
    )


async def _members(
    session: AsyncSession, tenant_id: uuid.UUID, tasks: Sequence[Row[Any]]
) -> tuple[dict[uuid.UUID, uuid.UUID], dict[uuid.UUID, uuid.UUID]]:
    """(membership id → user id, creator user id → membership id) for these tasks."""
    assignees = {t.assignee_id for t in tasks if t.assignee_id is not None}
    creators = {t.created_by for t in tasks if t.assignee_id is None and t.created_by}
    if not assignees and not creators:
        return {}, {}
    rows = await session.execute(
        select(Membership.id, Membership.user_id).where(
            Membership.tenant_id == tenant_id,
            or_(Membership.id.in_(assignees), Membership.user_id.in_(creators)),
        )
    )
    pairs = list(rows)
    return {m: u for m, u in pairs}, {u: m for m, u in pairs}


@dataclass(frozen=True)
class _Reminder:
    task: Row[Any]
    recipient: uuid.UUID | None  # a member id: the assignee, else the creator's membership
    recipient_user: uuid.UUID | None

    def notification(self, tenant_id: uuid.UUID) -> Notification | None:
        if self.recipient is None:
            return None
        return new_notification(
            tenant_id, self.recipient, NOTIFICATION_KIND, self.task.title, record_type="task",
            record_id=self.task.id, data=audit.jsonable(self.times),
        )

    @property
    def times(self) -> dict[str, Any]:
        return {"remind_at": self.task.remind_at, "due_at": self.task.due_at}


async def _emit(
    session: AsyncSession,
    hooks: TenantHooks,
    tenant_id: uuid.UUID,
    reminder: _Reminder,
    notification: Notification | None,
) -> None:
    task = reminder.task
    payload = {
        "title": task.title,
        **reminder.times,
        "assignee_id": task.assignee_id,
        "recipient_id": reminder.recipient,
        "recipient_user_id": reminder.recipient_user,
        "notification_id": notification.id if notification else None,
        "contact_id": task.contact_id,
        "deal_id": task.deal_id,
    }
    await emit(session, None, hooks, TASK_REMINDER_DUE, "task", task.id, payload,
               tenant_id=tenant_id)


async def _remind_all(
    session: AsyncSession, hooks: TenantHooks, tenant_id: uuid.UUID, reminders: list[_Reminder]
) -> None:
    """Usually every handler succeeds: the notifications in one insert, one savepoint."""
    notifications = [r.notification(tenant_id) for r in reminders]
    async with session.begin_nested():
        session.add_all([n for n in notifications if n is not None])
        await session.flush()
        for reminder, notification in zip(reminders, notifications, strict=True):
            await _emit(session, hooks, tenant_id, reminder, notification)


async def _remind_each(
    session: AsyncSession, hooks: TenantHooks, tenant_id: uuid.UUID, reminders: list[_Reminder]
) -> int:
    """One savepoint per reminder: a failing handler undoes, and re-arms, only its own."""
    delivered = 0
    for reminder in reminders:
        try:
            async with session.begin_nested():
                notification = reminder.notification(tenant_id)
                if notification is not None:
                    session.add(notification)
                await _emit(session, hooks, tenant_id, reminder, notification)
        except PluginHookError as exc:
            # Armed again, but not before a growing delay: a handler that keeps failing
            # must not be called by every worker on every tick.
            failures = reminder.task.reminder_failures + 1
            await session.execute(
                update(Task)
                .where(Task.tenant_id == tenant_id, Task.id == reminder.task.id)
                .values(
                    reminded_at=None,
                    reminder_failures=failures,
                    reminder_retry_at=func.now() + backoff(failures),
                    updated_at=Task.updated_at,
                )
                .execution_options(synchronize_session=False)
            )
            log.warning("task reminder failed", task_id=str(reminder.task.id),
                        plugin=exc.plugin, failures=failures)
        else:
            delivered += 1
    return delivered


async def remind_tenant(
    session: AsyncSession, hooks: TenantHooks, tenant_id: uuid.UUID, *, batch: int = 200
) -> int:
    """Deliver up to ``batch`` due reminders of one tenant in ``session``'s transaction
    (which must be in that tenant's context); returns how many were delivered."""
    ids = list((await session.execute(due_statement(tenant_id, batch))).scalars())
    if not ids:
        return 0
    tasks = list(await session.execute(claim_statement(tenant_id, ids)))
    users, memberships = await _members(session, tenant_id, tasks)
    reminders = []
    for task in tasks:
        recipient = task.assignee_id or memberships.get(task.created_by)
        reminders.append(_Reminder(task, recipient, users.get(recipient) if recipient else None))
    try:
        await _remind_all(session, hooks, tenant_id, reminders)
    except PluginHookError:
        return await _remind_each(session, hooks, tenant_id, reminders)
    return len(reminders)


async def deliver_reminders(
    maker: async_sessionmaker[AsyncSession],
    registry: PluginRegistry,
    *,
    batch: int = 200,
    max_tenants: int = 100,
) -> int:
    """One pass over every tenant with reminders due, one transaction per tenant; returns
    how many reminders were delivered."""
    async with tenant_session(maker, None) as session:
        tenants = list(
            (
                await session.execute(
                    text("SELECT rapport_reminder_due_tenants(:n)"), {"n": max_tenants}
                )
            ).scalars()
        )
    delivered = 0
    for tenant_id in tenants:
        async with tenant_session(maker, tenant_id) as session:
            hooks = registry.for_tenant(await enabled_modules(session, tenant_id))
            delivered += await remind_tenant(session, hooks, tenant_id, batch=batch)
    if delivered:
        log.info("task reminders delivered", count=delivered)
    return delivered
