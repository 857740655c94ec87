"""HTTP doors of tasks: CRUD, completion, and the filtered lists people work from."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.core.tasks import service
from rapport.core.tasks.schemas import TaskIn, TaskList, TaskOut, TaskPatch
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal


class TaskController(Controller):
    path = "/api/v1/tasks"
    tags = ["tasks"]

    @get("/")
    async def list_tasks(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        assignee: Annotated[
            str | None, QueryParameter(max_length=36, description="``me`` or a member id")
        ] = None,
        is_open: Annotated[
            bool | None, QueryParameter(name="open", description="true: not done yet")
        ] = None,
        overdue: Annotated[
            bool | None, QueryParameter(description="true: open and past its due time")
        ] = None,
        contact_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
        deal_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> TaskList:
        """Newest first; pass ``next_cursor`` back as ``cursor``."""
        now = datetime.now(UTC)
        filters = service.TaskFilters(assignee, is_open, overdue, contact_id, deal_id)
        page = await service.list_tasks(db, principal, now, filters, cursor=cursor, limit=limit)
        return TaskList([TaskOut.of(t, now) for t in page.items], page.next_cursor)

    @post("/", status_code=201)
    async def create_task(
        self,
        data: JSONBody[TaskIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
    ) -> TaskOut:
        """An open task, assigned to ``assignee_id`` or to the caller."""
        task = await service.create_task(db, principal, data.values(), hooks)
        return TaskOut.of(task, datetime.now(UTC))

    @get("/{task_id:uuid}")
    async def get_task(
        self,
        task_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> TaskOut:
        return TaskOut.of(await service.get_task(db, principal, task_id), datetime.now(UTC))

    @patch("/{task_id:uuid}")
    async def update_task(
        self,
        task_id: FromPath[uuid.UUID],
        data: JSONBody[TaskPatch],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
    ) -> TaskOut:
        """Change only what is sent; ``null`` clears a value, ``"done": false`` reopens."""
        task = await service.update_task(db, principal, task_id, data.changes(), hooks)
        return TaskOut.of(task, datetime.now(UTC))

    @delete("/{task_id:uuid}", status_code=204)
    async def delete_task(
        self,
        task_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
    ) -> None:
        await service.delete_task(db, principal, task_id, hooks)

    @post("/{task_id:uuid}/complete", status_code=200)
    async def complete_task(
        self,
        task_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
    ) -> TaskOut:
        """Done now, by the caller; completing a finished task changes nothing."""
        task = await service.complete_task(db, principal, task_id, hooks)
        return TaskOut.of(task, datetime.now(UTC))
