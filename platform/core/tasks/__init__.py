"""Tasks: what a member has to do, by when (due and reminder times), about which contact
or deal; done records when and by whom.

``TaskController`` serves ``/api/v1/tasks``; actions live in ``service``; the worker
delivers due reminders with ``reminders.deliver_reminders``.
"""

from rapport.core.tasks.models import Task
from rapport.core.tasks.reminders import deliver_reminders, remind_tenant
from rapport.core.tasks.service import (
    TASK_COMPLETED,
    TASK_CREATED,
    TASK_DELETED,
    TASK_UPDATED,
    complete_task,
    create_task,
    delete_task,
    get_task,
    list_tasks,
    open_tasks,
    update_task,
)

__all__ = [
    "TASK_COMPLETED",
    "TASK_CREATED",
    "TASK_DELETED",
    "TASK_UPDATED",
    "Task",
    "complete_task",
    "create_task",
    "delete_task",
    "deliver_reminders",
    "get_task",
    "list_tasks",
    "open_tasks",
    "remind_tenant",
    "update_task",
]
