"""Notifications: the one endpoint with an id in its path."""

from __future__ import annotations

from tests.conftest import TenantHandle
from tests.core.tasks.support import at, deliver, notifications, task
from tests.isolation_targets import Target


def _notification(client, t: TenantHandle) -> dict[str, str]:
    # A reminder already due, delivered by the worker's pass: the victim's notification.
    made = task(client, t, title="Victim's reminder", remind_at=at(-1))
    deliver(client)
    items = notifications(client, t.headers)["items"]
    return {"notification_id": next(n["id"] for n in items if n["record_id"] == made["id"])}


TARGETS: dict[str, Target] = {
    "/api/v1/notifications/{notification_id}/read": Target(_notification, {"POST": None}),
}
