"""Task shapes at the edge. Times carry a UTC offset (a naive time is refused)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from rapport.core.tasks.models import Task
from rapport.fieldtypes import Name, Patch

Notes = Annotated[str, msgspec.Meta(max_length=10_000, pattern=r"^[^\x00]*$")]
Moment = Annotated[datetime, msgspec.Meta(tz=True)]


class TaskIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Name
    notes: Notes | None = None
    # A member id (GET /api/v1/members); the creator when left out.
    assignee_id: uuid.UUID | None = None
    due_at: Moment | None = None
    remind_at: Moment | None = None
    contact_id: uuid.UUID | None = None
    deal_id: uuid.UUID | None = None

    def values(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__struct_fields__}


class TaskPatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    title: Name | msgspec.UnsetType = msgspec.UNSET
    notes: Notes | msgspec.UnsetType | None = msgspec.UNSET
    assignee_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    due_at: Moment | msgspec.UnsetType | None = msgspec.UNSET
    remind_at: Moment | msgspec.UnsetType | None = msgspec.UNSET
    contact_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    deal_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    # false reopens a finished task; true finishes it (as POST …/complete does).
    done: bool | msgspec.UnsetType = msgspec.UNSET


class TaskOut(msgspec.Struct):
    id: uuid.UUID
    title: str
    notes: str | None
    assignee_id: uuid.UUID | None
    due_at: datetime | None
    remind_at: datetime | None
    # When the reminder was delivered; null while it is armed (or there is none).
    reminded_at: datetime | None
    done: bool
    done_at: datetime | None
    done_by: uuid.UUID | None
    overdue: bool
    contact_id: uuid.UUID | None
    deal_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, task: Task, now: datetime) -> TaskOut:
        """``now``: the database clock of the request, which decides ``overdue``."""
        overdue = task.done_at is None and task.due_at is not None and task.due_at < now
        return cls(
            id=task.id,
            title=task.title,
            notes=task.notes,
            assignee_id=task.assignee_id,
            due_at=task.due_at,
            remind_at=task.remind_at,
            reminded_at=task.reminded_at,
            done=task.done_at is not None,
            done_at=task.done_at,
            done_by=task.done_by,
            overdue=overdue,
            contact_id=task.contact_id,
            deal_id=task.deal_id,
            created_at=task.created_at,
            updated_at=task.updated_at,
        )


class TaskList(msgspec.Struct):
    items: list[TaskOut]
    next_cursor: str | None
