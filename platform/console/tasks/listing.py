"""The task lists people work from — mine or everyone's; open, overdue or done — and
completing a task in place (an htmx swap of its row)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.console.pickers import contact_names, member_names
from rapport.core.fields.sorting import MAX_CURSOR
from rapport.core.tasks import service as tasks
from rapport.hooks import Fragment, Screen, TenantHooks
from rapport.tenancy.principal import Principal

PAGE = 25
Who = Literal["mine", "all"]
Show = Literal["open", "overdue", "done"]
SHOWS = {"open": N_("Open"), "overdue": N_("Overdue"), "done": N_("Done")}
WHOS = {"mine": N_("My tasks"), "all": N_("All tasks")}


def filters(who: Who, show: Show) -> tasks.TaskFilters:
    assignee = "me" if who == "mine" else None
    if show == "overdue":
        return tasks.TaskFilters(assignee=assignee, overdue=True)
    return tasks.TaskFilters(assignee=assignee, open=show == "open")


async def names(db: AsyncSession, principal: Principal, items: list[Any]) -> dict[str, Any]:
    return {"customers": await contact_names(db, principal, (t.contact_id for t in items)),
            "assignees": await member_names(db, principal)}


@get("/tasks")
async def task_list(
    request: Request,
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    who: Annotated[Who, QueryParameter()] = "mine",
    show: Annotated[Show, QueryParameter()] = "open",
    cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
) -> Screen | Fragment:
    now = datetime.now(UTC)
    page = await tasks.list_tasks(db, principal, now, filters(who, show), cursor=cursor,
                                  limit=PAGE)
    context = {"tasks": page.items, "next_cursor": page.next_cursor, "now": now,
               "who": who, "show": show, "whos": WHOS, "shows": SHOWS,
               **await names(db, principal, page.items)}
    if cursor is not None and request.headers.get("hx-request") == "true":
        return Fragment("console/tasks/rows.html", context)
    if request.headers.get("hx-target") == "task-results":
        return Fragment("console/tasks/results.html", context)
    return Screen("console/tasks/list.html", "Tasks", context)


@post("/tasks/{task_id:uuid}/complete", status_code=200)
async def complete_task(
    request: Request,
    task_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    hooks: NamedDependency[TenantHooks],
) -> Any:
    """Done now, by me (the API's ``POST /tasks/{id}/complete``): the row comes back done,
    focused and announced; without script, back to the list."""
    task = await tasks.complete_task(db, principal, task_id, hooks)
    if request.headers.get("hx-request") != "true":
        return redirect(request, "/tasks")
    now = datetime.now(UTC)
    return Fragment("console/tasks/rows.html", {
        "tasks": [task], "next_cursor": None, "now": now, "completed": task.id,
        "who": "mine", "show": "open", **await names(db, principal, [task]),
    })
