"""Task screens: my tasks and everyone's (open, overdue, done), completing in place, and
the forms that create and edit tasks."""

from rapport.console.tasks.listing import complete_task, task_list
from rapport.console.tasks.record import create_task, edit_task, new_task, update_task

PAGES = [task_list, complete_task, new_task, create_task, edit_task, update_task]
