"""Notifications: what one member should see in the app — today, task reminders.

``NotificationController`` serves ``/api/v1/notifications``; other areas create them with
``notify`` (or many at once with ``new_notification``) in their own transaction.
"""

from rapport.core.notifications.models import Notification
from rapport.core.notifications.service import (
    list_notifications,
    mark_all_read,
    mark_read,
    new_notification,
    notify,
)

__all__ = [
    "Notification",
    "list_notifications",
    "mark_all_read",
    "mark_read",
    "new_notification",
    "notify",
]
