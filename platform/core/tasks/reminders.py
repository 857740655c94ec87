"""Task reminders, delivered: when a task's ``remind_at`` comes, the worker gives its
assignee (or its creator, when nobody is assigned) one in-app notification and emits
``task.reminder_due`` through the outbox, in one transaction.

Exactly once per armed reminder, with any number of workers: a pass *claims* due tasks
(``SELECT … FOR UPDATE SKIP LOCKED``, then ``UPDATE … SET reminded_at … RETURNING`` in
the same transaction), so a second worker skips rows being claimed and no longer matches
rows already claimed. Changing ``remind_at`` or reopening the task clears ``reminded_at``
(re-arms it); a task completed before its time is never reminded.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import structlog
from sqlalchemy import Row, Select, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.core import audit
from rapport.core.events import emit
from rapport.core.modules.models import TenantModule
from rapport.core.notifications import notify
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
        .values(reminded_at=func.now(), updated_at=Task.updated_at)
        .returning(
            Task.id, Task.title, Task.remind_at, Task.due_at, Task.assignee_id,
            Task.created_by, Task.contact_id, Task.deal_id,
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


async def _remind(
    session: AsyncSession,
    hooks: TenantHooks,
    tenant_id: uuid.UUID,
    task: Row[Any],
    recipient: uuid.UUID | None,
    user_id: uuid.UUID | None,
) -> None:
    times = {"remind_at": task.remind_at, "due_at": task.due_at}
    notification = None
    if recipient is not None:
        notification = await notify(
            session, tenant_id, recipient, NOTIFICATION_KIND, task.title,
            record_type="task", record_id=task.id, data=audit.jsonable(times),
        )
    payload = {
        "title": task.title,
        **times,
        "assignee_id": task.assignee_id,
        "recipient_id": recipient,
        "recipient_user_id": user_id,
        "notification_id": notification.id if notification else None,
        "contact_id": task.contact_id,
        "deal_id": task.deal_id,
    }
    await emit(session, None, hooks, TASK_REMINDER_DUE, "task", task.id, payload,
               tenant_id=tenant_id)


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
    delivered = 0
    for task in tasks:
        recipient = task.assignee_id or memberships.get(task.created_by)
        try:
            # A plugin's failing event handler undoes this reminder alone.
            async with session.begin_nested():
                await _remind(session, hooks, tenant_id, task, recipient,
                              users.get(recipient) if recipient else None)
        except PluginHookError as exc:
            # Re-armed: the next pass tries again.
            await session.execute(
                update(Task)
                .where(Task.tenant_id == tenant_id, Task.id == task.id)
                .values(reminded_at=None, updated_at=Task.updated_at)
                .execution_options(synchronize_session=False)
            )
            log.warning("task reminder failed", task_id=str(task.id), plugin=exc.plugin)
        else:
            delivered += 1
    return delivered


async def _enabled(session: AsyncSession, tenant_id: uuid.UUID) -> frozenset[str]:
    rows = await session.execute(
        select(TenantModule.name).where(
            TenantModule.tenant_id == tenant_id, TenantModule.enabled.is_(True)
        )
    )
    return frozenset(rows.scalars())


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
            hooks = registry.for_tenant(await _enabled(session, tenant_id))
            delivered += await remind_tenant(session, hooks, tenant_id, batch=batch)
    if delivered:
        log.info("task reminders delivered", count=delivered)
    return delivered
