"""Run the worker's reminder delivery from tests: through the app's own engine and event
loop (the TestClient's portal), as the ``rapport worker`` loop runs it each tick."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

from rapport.core.tasks.reminders import deliver_reminders
from rapport.hooks import PluginRegistry
from tests.conftest import TenantHandle


def at(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def task(client, t: TenantHandle, headers: dict[str, str] | None = None, **body: Any) -> dict:
    r = client.post("/api/v1/tasks", json={"title": "Call back", **body},
                    headers=headers or t.headers)
    assert r.status_code == 201, r.text
    return r.json()


def deliver(client, registry: PluginRegistry | None = None) -> int:
    """One reminder pass over every tenant (the suite shares one database, so no cap)."""
    state = client.app.state
    run = functools.partial(deliver_reminders, state.sessionmaker, registry or state.registry,
                            max_tenants=1_000_000)
    return client.blocking_portal.call(run)


def notifications(client, headers: dict[str, str], query: str = "") -> dict:
    r = client.get(f"/api/v1/notifications{query}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def stored_notifications(database, tenant_id: str, task_id: str) -> list[tuple]:
    """What really is in the table for a task (superuser: RLS bypassed)."""
    with database.connect_superuser() as conn:
        return conn.execute(
            "SELECT recipient_id::text, kind, read_at FROM notifications"
            " WHERE tenant_id = %s AND record_id = %s ORDER BY id", (tenant_id, task_id),
        ).fetchall()
