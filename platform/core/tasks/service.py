"""Task actions: every lookup is scoped by the acting principal's tenant.

Mutations write the audit log and emit ``task.*`` events in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeAlias

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit
from rapport.core.deals.models import Deal
from rapport.core.deals.references import require_contact, require_member
from rapport.core.deals.service import member_filter
from rapport.core.events import emit
from rapport.core.pagination import Page, by_id, check_limit, cut, newest_first
from rapport.core.tasks.models import Task
from rapport.errors import invalid, not_found
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal

RECORD_TYPE = "task"
TASK_CREATED = "task.created"
TASK_UPDATED = "task.updated"
TASK_COMPLETED = "task.completed"
TASK_DELETED = "task.deleted"
PLAIN = ("title", "notes", "due_at", "remind_at")


@dataclass(frozen=True)
class TaskFilters:
    """``assignee``: a member id or ``me``; ``open``: not done; ``overdue``: open and past due."""

    assignee: str | None = None
    open: bool | None = None
    overdue: bool | None = None
    contact_id: uuid.UUID | None = None
    deal_id: uuid.UUID | None = None


TaskPage: TypeAlias = Page[Task]


def audited(task: Task) -> dict[str, Any]:
    return {
        "title": task.title,
        "notes": task.notes,
        "assignee_id": task.assignee_id,
        "due_at": task.due_at,
        "remind_at": task.remind_at,
        "done_at": task.done_at,
        "done_by": task.done_by,
        "contact_id": task.contact_id,
        "deal_id": task.deal_id,
    }


async def get_task(session: AsyncSession, actor: Principal, task_id: uuid.UUID) -> Task:
    task = (
        await session.execute(
            select(Task).where(Task.tenant_id == actor.tenant_id, Task.id == task_id)
        )
    ).scalar_one_or_none()
    if task is None:
        raise not_found("Task")
    return task


async def _require_deal(session: AsyncSession, actor: Principal, deal_id: uuid.UUID | None) -> None:
    if deal_id is None:
        return
    found = await session.scalar(
        select(Deal.id).where(Deal.tenant_id == actor.tenant_id, Deal.id == deal_id,
                              Deal.deleted_at.is_(None))
    )
    if found is None:
        raise invalid("deal_id", "no such deal")


async def _apply(
    session: AsyncSession, actor: Principal, task: Task, changes: Mapping[str, Any]
) -> None:
    if "remind_at" in changes and changes["remind_at"] != task.remind_at:
        _rearm(task)  # a new reminder time re-arms a delivered reminder
    for key in PLAIN:
        if key in changes:
            value = changes[key]
            setattr(task, key, (value.strip() or None) if isinstance(value, str) else value)
    if not task.title:
        raise invalid("title", "must not be blank")
    if "assignee_id" in changes:
        await require_member(session, actor, "assignee_id", changes["assignee_id"])
        task.assignee_id = changes["assignee_id"]
    if "contact_id" in changes:
        await require_contact(session, actor, "contact_id", changes["contact_id"])
        task.contact_id = changes["contact_id"]
    if "deal_id" in changes:
        await _require_deal(session, actor, changes["deal_id"])
        task.deal_id = changes["deal_id"]
    if changes.get("done") is True and task.done_at is None:
        _finish(task, actor)
    elif changes.get("done") is False and task.done_at is not None:
        # Reopened: its reminder is armed again (delivered at once if its time has passed).
        task.done_at = task.done_by = None
        _rearm(task)


def _rearm(task: Task) -> None:
    """A person's change arms the reminder afresh: no delivery, no failures behind it."""
    task.reminded_at = task.reminder_retry_at = None
    task.reminder_failures = 0


def _finish(task: Task, actor: Principal) -> None:
    task.done_at = datetime.now(UTC)
    task.done_by = actor.user_id


async def _changed(
    session: AsyncSession,
    actor: Principal,
    task: Task,
    before: dict[str, Any],
    hooks: TenantHooks,
    event: str,
) -> None:
    await session.flush()
    changed = audit.diff(before, audited(task))
    if not changed:
        return
    await audit.record(session, actor, audit.UPDATE, RECORD_TYPE, task.id, changed)
    await emit(session, actor, hooks, event, RECORD_TYPE, task.id, {"changes": changed})


async def create_task(
    session: AsyncSession,
    actor: Principal,
    data: Mapping[str, Any],
    hooks: TenantHooks,
) -> Task:
    """A new open task, assigned to ``assignee_id`` or to the caller."""
    actor.require_writer()
    values = {key: value for key, value in data.items() if value is not None}
    values.setdefault("assignee_id", actor.membership_id)
    task = Task(tenant_id=actor.tenant_id, created_by=actor.user_id)
    await _apply(session, actor, task, values)
    session.add(task)
    await session.flush()
    snapshot = audited(task)
    await audit.record(session, actor, audit.CREATE, RECORD_TYPE, task.id, audit.diff({}, snapshot))
    await emit(session, actor, hooks, TASK_CREATED, RECORD_TYPE, task.id,
               audit.jsonable(snapshot))
    return task


async def update_task(
    session: AsyncSession,
    actor: Principal,
    task_id: uuid.UUID,
    changes: Mapping[str, Any],
    hooks: TenantHooks,
) -> Task:
    actor.require_writer()
    task = await get_task(session, actor, task_id)
    before = audited(task)
    await _apply(session, actor, task, changes)
    finished = before["done_at"] is None and changes.get("done") is True
    event = TASK_COMPLETED if finished else TASK_UPDATED
    await _changed(session, actor, task, before, hooks, event)
    return task


async def complete_task(
    session: AsyncSession,
    actor: Principal,
    task_id: uuid.UUID,
    hooks: TenantHooks,
) -> Task:
    """Mark done now by the caller; a task already done stays as it was (idempotent)."""
    return await update_task(session, actor, task_id, {"done": True}, hooks)


async def delete_task(
    session: AsyncSession,
    actor: Principal,
    task_id: uuid.UUID,
    hooks: TenantHooks,
) -> None:
    actor.require_writer()
    task = await get_task(session, actor, task_id)
    before = audited(task)
    await session.delete(task)
    await session.flush()
    await audit.record(session, actor, audit.DELETE, RECORD_TYPE, task_id, audit.diff(before, {}))
    await emit(session, actor, hooks, TASK_DELETED, RECORD_TYPE, task_id,
               audit.jsonable(before))


def list_statement(
    tenant_id: uuid.UUID,
    now: datetime,
    *,
    assignee_id: uuid.UUID | None = None,
    is_open: bool | None = None,
    overdue: bool | None = None,
    contact_id: uuid.UUID | None = None,
    deal_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Select[Task]:
    """The list query, newest first (exposed so tests can EXPLAIN what the endpoint runs)."""
    query = select(Task).where(Task.tenant_id == tenant_id)
    if assignee_id is not None:
        query = query.where(Task.assignee_id == assignee_id)
    if is_open is not None:
        query = query.where(Task.done_at.is_(None) if is_open else Task.done_at.is_not(None))
    if overdue is True:
        query = query.where(Task.done_at.is_(None), Task.due_at < now)
    elif overdue is False:
        query = query.where((Task.done_at.is_not(None)) | (Task.due_at.is_(None))
                            | (Task.due_at >= now))
    if contact_id is not None:
        query = query.where(Task.contact_id == contact_id)
    if deal_id is not None:
        query = query.where(Task.deal_id == deal_id)
    return newest_first(query, Task.id, cursor, limit)


async def list_tasks(
    session: AsyncSession,
    actor: Principal,
    now: datetime,
    filters: TaskFilters,
    *,
    cursor: str | None = None,
    limit: int = 50,
) -> TaskPage:
    check_limit(limit)
    query = list_statement(
        actor.tenant_id,
        now,
        assignee_id=member_filter("assignee", filters.assignee, actor),
        is_open=filters.open,
        overdue=filters.overdue,
        contact_id=filters.contact_id,
        deal_id=filters.deal_id,
        cursor=cursor,
        limit=limit,
    )
    return cut(list((await session.execute(query)).scalars()), limit, by_id)


def open_tasks_statement(
    tenant_id: uuid.UUID, contact_id: uuid.UUID, limit: int
) -> Select[uuid.UUID, str, datetime | None, uuid.UUID | None, uuid.UUID | None]:
    """A contact's open tasks, soonest due first (undated last) — one query over the
    (tenant_id, contact_id, id) index."""
    return (
        select(Task.id, Task.title, Task.due_at, Task.assignee_id, Task.deal_id)
        .where(Task.tenant_id == tenant_id, Task.contact_id == contact_id,
               Task.done_at.is_(None))
        .order_by(Task.due_at.asc().nulls_last(), Task.id)
        .limit(limit)
    )


async def open_tasks(
    session: AsyncSession, tenant_id: uuid.UUID, contact_id: uuid.UUID, limit: int = 20
) -> list[dict[str, Any]]:
    rows = await session.execute(open_tasks_statement(tenant_id, contact_id, limit))
    return [
        audit.jsonable(
            {"id": row.id, "title": row.title, "due_at": row.due_at,
             "assignee_id": row.assignee_id, "deal_id": row.deal_id}
        )
        for row in rows
    ]
