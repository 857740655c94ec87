"""Task reminders are delivered by the worker: once, to the right member, with an event in
the outbox; re-armed by a new time or reopening, cancelled by completing in time."""

from __future__ import annotations

import asyncio
import functools
import os
import subprocess
import sys
import types
import uuid
from datetime import timedelta

from rapport.core.tasks.reminders import deliver_reminders, remind_tenant
from rapport.db.session import tenant_session
from rapport.db.urls import libpq_url
from rapport.hooks import TASK_REMINDER_DUE, PluginManifest, hookimpl, load_registry
from tests.conftest import sign_up
from tests.core.deals.support import member, member_id, outbox
from tests.core.tasks.support import at, deliver, notifications, stored_notifications, task


def test_a_due_reminder_notifies_the_assignee_once(client, database, tenant):
    colleague_id, colleague = member(client, tenant)
    due = task(client, tenant, title="Send the quote", assignee_id=colleague_id,
               remind_at=at(-1), due_at=at(2))
    assert due["reminded_at"] is None

    assert deliver(client) >= 1
    [note] = notifications(client, colleague)["items"]
    assert note["kind"] == "task.reminder" and note["title"] == "Send the quote"
    assert note["record_type"] == "task" and note["record_id"] == due["id"]
    assert note["read"] is False and note["data"]["due_at"]
    reminded = client.get(f"/api/v1/tasks/{due['id']}", headers=tenant.headers).json()
    assert reminded["reminded_at"] is not None
    # Being reminded is not an edit.
    assert reminded["updated_at"] == due["updated_at"]

    deliver(client)
    deliver(client)
    assert len(stored_notifications(database, tenant.id, due["id"])) == 1
    # The owner created it but is not the assignee: nothing for them.
    assert notifications(client, tenant.headers)["items"] == []

    [event] = outbox(database, tenant.id, TASK_REMINDER_DUE)
    assert event["record_id"] == due["id"]
    assert event["payload"]["recipient_id"] == colleague_id
    assert event["payload"]["notification_id"] == note["id"]
    assert event["payload"]["title"] == "Send the quote"
    with database.connect_superuser() as conn:
        user_of_colleague = conn.execute(
            "SELECT user_id::text FROM memberships WHERE id = %s", (colleague_id,)
        ).fetchone()[0]
    assert event["payload"]["recipient_user_id"] == user_of_colleague


def test_reminders_not_yet_due_or_without_a_time_wait(client, database, tenant):
    later = task(client, tenant, remind_at=at(1))
    never = task(client, tenant)
    deliver(client)
    assert stored_notifications(database, tenant.id, later["id"]) == []
    assert stored_notifications(database, tenant.id, never["id"]) == []
    assert outbox(database, tenant.id, TASK_REMINDER_DUE) == []
    assert client.get(f"/api/v1/tasks/{later['id']}",
                      headers=tenant.headers).json()["reminded_at"] is None


def test_a_task_done_before_its_reminder_is_never_reminded(client, database, tenant):
    done = task(client, tenant, remind_at=at(-1))
    client.post(f"/api/v1/tasks/{done['id']}/complete", headers=tenant.headers)
    deliver(client)
    assert stored_notifications(database, tenant.id, done["id"]) == []
    assert outbox(database, tenant.id, TASK_REMINDER_DUE) == []

    # Reopened with its time already past: reminded on the next pass.
    r = client.patch(f"/api/v1/tasks/{done['id']}", json={"done": False}, headers=tenant.headers)
    assert r.status_code == 200
    deliver(client)
    assert len(stored_notifications(database, tenant.id, done["id"])) == 1


def test_a_new_reminder_time_or_reopening_rearms_it(client, database, tenant):
    h = tenant.headers
    t = task(client, tenant, remind_at=at(-2))
    deliver(client)
    assert len(stored_notifications(database, tenant.id, t["id"])) == 1
    reminded = client.get(f"/api/v1/tasks/{t['id']}", headers=h).json()

    # Other edits, or the same time again, leave a delivered reminder delivered.
    client.patch(f"/api/v1/tasks/{t['id']}", json={"title": "Call back, really"}, headers=h)
    client.patch(f"/api/v1/tasks/{t['id']}", json={"remind_at": reminded["remind_at"]},
                 headers=h)
    assert client.get(f"/api/v1/tasks/{t['id']}", headers=h).json()["reminded_at"] is not None
    deliver(client)
    assert len(stored_notifications(database, tenant.id, t["id"])) == 1

    # A new time re-arms it; it fires when that time comes (already past here).
    r = client.patch(f"/api/v1/tasks/{t['id']}", json={"remind_at": at(-1)}, headers=h)
    assert r.json()["reminded_at"] is None
    deliver(client)
    assert len(stored_notifications(database, tenant.id, t["id"])) == 2

    # Moved into the future: armed, but waits.
    client.patch(f"/api/v1/tasks/{t['id']}", json={"remind_at": at(1)}, headers=h)
    deliver(client)
    assert len(stored_notifications(database, tenant.id, t["id"])) == 2

    # Done, then reopened after its time: reminded again.
    client.patch(f"/api/v1/tasks/{t['id']}", json={"remind_at": at(-1)}, headers=h)
    deliver(client)
    client.post(f"/api/v1/tasks/{t['id']}/complete", headers=h)
    client.patch(f"/api/v1/tasks/{t['id']}", json={"done": False}, headers=h)
    deliver(client)
    assert len(stored_notifications(database, tenant.id, t["id"])) == 4
    assert len(outbox(database, tenant.id, TASK_REMINDER_DUE)) == 4


def test_an_unassigned_task_reminds_its_creator(client, database, tenant):
    creator_id, creator = member(client, tenant)
    t = task(client, tenant, headers=creator, remind_at=at(-1))
    r = client.patch(f"/api/v1/tasks/{t['id']}", json={"assignee_id": None}, headers=creator)
    assert r.json()["assignee_id"] is None
    deliver(client)
    [(recipient, kind, _)] = stored_notifications(database, tenant.id, t["id"])
    assert recipient == creator_id and kind == "task.reminder"
    assert len(notifications(client, creator)["items"]) == 1
    assert notifications(client, tenant.headers)["items"] == []


def test_two_workers_at_once_deliver_each_reminder_once(client, database):
    tenant = sign_up(client)
    ids = [task(client, tenant, title=f"Task {n}", remind_at=at(-1))["id"] for n in range(30)]
    state = client.app.state

    async def worker() -> int:
        # Small batches: each worker makes several passes, interleaved with the other's.
        delivered = 0
        while passed := await deliver_reminders(state.sessionmaker, state.registry, batch=7,
                                                max_tenants=1_000_000):
            delivered += passed
        return delivered

    async def two_workers() -> list[int]:
        return list(await asyncio.gather(worker(), worker()))

    assert sum(client.blocking_portal.call(two_workers)) >= 30
    with database.connect_superuser() as conn:
        counts = dict(conn.execute(
            "SELECT record_id::text, count(*) FROM notifications WHERE tenant_id = %s"
            " GROUP BY 1", (tenant.id,)).fetchall())
    assert counts == dict.fromkeys(ids, 1)
    assert len(outbox(database, tenant.id, TASK_REMINDER_DUE)) == 30


def test_a_worker_skips_reminders_another_worker_is_claiming(client, database, tenant):
    t = task(client, tenant, remind_at=at(-1))
    state = client.app.state
    tid = uuid.UUID(tenant.id)
    hooks = state.registry.for_tenant(frozenset())

    async def overlapping() -> tuple[int, int, int]:
        async with tenant_session(state.sessionmaker, tid) as first:
            claimed = await remind_tenant(first, hooks, tid)
            # The first worker's transaction is still open: its rows are locked.
            async with tenant_session(state.sessionmaker, tid) as second:
                meanwhile = await remind_tenant(second, hooks, tid)
        async with tenant_session(state.sessionmaker, tid) as third:
            afterwards = await remind_tenant(third, hooks, tid)
        return claimed, meanwhile, afterwards

    assert client.blocking_portal.call(overlapping) == (1, 0, 0)
    assert len(stored_notifications(database, tenant.id, t["id"])) == 1


def _reminder_plugin(heard: list[dict], fail: bool = False) -> types.ModuleType:
    """A vendor plugin that would text the reminder: hears it after commit, or breaks."""
    mod = types.ModuleType("sms_reminders")

    def manifest() -> PluginManifest:
        return PluginManifest("sms", "SMS reminders", "1.0")

    def on_event(event) -> None:
        if fail and event.name == TASK_REMINDER_DUE and event.payload["title"] == "Broken":
            raise RuntimeError("SMS gateway down")

    def committed(event) -> None:
        if event.name == TASK_REMINDER_DUE:
            heard.append({"task": str(event.record_id), **event.payload})

    mod.rapport_manifest = hookimpl(manifest)
    mod.rapport_event = hookimpl(on_event)
    mod.rapport_event_committed = hookimpl(committed)
    return mod


def _enable(database, tenant_id: str, name: str) -> None:
    with database.connect_superuser() as conn:
        conn.execute("INSERT INTO tenant_modules (tenant_id, id, name, enabled) "
                     "VALUES (%s, gen_random_uuid(), %s, true)", (tenant_id, name))


def test_plugins_hear_the_reminder_after_commit(client, database, tenant):
    from rapport.worker import deliver_due

    heard: list[dict] = []
    # With the installed kernel areas: the tasks area does the reminders' part of the pass
    # (rapport_periodic_work).
    registry = load_registry(extra=[("sms", _reminder_plugin(heard))])
    _enable(database, tenant.id, "sms")
    t = task(client, tenant, remind_at=at(-1))
    state = client.app.state
    # The worker's own pass: reminders become events, then events reach consumers. The
    # suite shares one database, where more tenants than one pass serves (100) may have
    # events waiting, so this pass has no cap (the worker loops until nothing is due).
    client.blocking_portal.call(functools.partial(deliver_due, state.sessionmaker, registry,
                                                  max_tenants=1_000_000))
    mine = [h for h in heard if h["task"] == t["id"]]
    assert len(mine) == 1
    assert mine[0]["recipient_id"] == member_id(client, tenant)
    assert mine[0]["recipient_user_id"] == client.get(
        "/api/v1/me", headers=tenant.headers).json()["user"]["id"]


def test_a_failing_event_handler_leaves_only_its_reminder_armed(client, database, tenant):
    registry = load_registry(extra=[("sms", _reminder_plugin([], fail=True))],
                             entry_points_too=False)
    _enable(database, tenant.id, "sms")
    fine = task(client, tenant, title="Fine", remind_at=at(-2))
    broken = task(client, tenant, title="Broken", remind_at=at(-1))
    deliver(client, registry)
    assert len(stored_notifications(database, tenant.id, fine["id"])) == 1
    assert stored_notifications(database, tenant.id, broken["id"]) == []
    assert [e["record_id"] for e in outbox(database, tenant.id, TASK_REMINDER_DUE)] == [
        fine["id"]
    ]
    assert client.get(f"/api/v1/tasks/{broken['id']}",
                      headers=tenant.headers).json()["reminded_at"] is None
    assert _backoff(database, broken["id"]) == (1, True)  # one failure, retry later
    # Fixed (here: the kernel's own registry), it still waits for its retry time: a
    # handler that keeps failing is not called on every tick.
    fixed = load_registry(entry_points_too=False)
    deliver(client, fixed)
    assert stored_notifications(database, tenant.id, broken["id"]) == []
    with database.connect_superuser() as conn:
        conn.execute("UPDATE tasks SET reminder_retry_at = now() - interval '1 second' "
                     "WHERE id = %s", (broken["id"],))
    deliver(client, fixed)
    assert len(stored_notifications(database, tenant.id, broken["id"])) == 1
    assert len(stored_notifications(database, tenant.id, fine["id"])) == 1
    assert _backoff(database, broken["id"]) == (1, False)


def test_failures_back_off_and_a_new_time_starts_afresh(client, database, tenant):
    failing = load_registry(extra=[("sms", _reminder_plugin([], fail=True))],
                            entry_points_too=False)
    _enable(database, tenant.id, "sms")
    t = task(client, tenant, title="Broken", remind_at=at(-1))
    for failures in (1, 2, 3):
        with database.connect_superuser() as conn:
            conn.execute("UPDATE tasks SET reminder_retry_at = now() - interval '1 second' "
                         "WHERE id = %s AND reminder_retry_at IS NOT NULL", (t["id"],))
            before = conn.execute("SELECT now()").fetchone()[0]
        deliver(client, failing)
        with database.connect_superuser() as conn:
            count, retry_at = conn.execute(
                "SELECT reminder_failures, reminder_retry_at FROM tasks WHERE id = %s",
                (t["id"],)).fetchone()
        assert count == failures
        # 2 s, 4 s, 8 s after the failed pass
        assert retry_at - before >= timedelta(seconds=2**failures)
    r = client.patch(f"/api/v1/tasks/{t['id']}", json={"remind_at": at(-0.5)},
                     headers=tenant.headers)
    assert r.status_code == 200, r.text
    assert _backoff(database, t["id"]) == (0, False)


def _backoff(database, task_id: str) -> tuple[int, bool]:
    """(failures so far, whether a retry time lies ahead)."""
    with database.connect_superuser() as conn:
        row = conn.execute(
            "SELECT reminder_failures, coalesce(reminder_retry_at > now(), false) "
            "FROM tasks WHERE id = %s", (task_id,)).fetchone()
    return row[0], row[1]


def test_a_reminder_for_a_former_member_notifies_nobody_but_still_emits(client, database,
                                                                         tenant):
    leaver_id, leaver = member(client, tenant)
    t = task(client, tenant, headers=leaver, remind_at=at(-1))
    assert client.delete(f"/api/v1/members/{leaver_id}", headers=tenant.headers).status_code == 204
    # Their membership is gone: the task is unassigned and its creator is nobody here.
    assert client.get(f"/api/v1/tasks/{t['id']}", headers=tenant.headers).json()[
        "assignee_id"] is None
    deliver(client)
    assert stored_notifications(database, tenant.id, t["id"]) == []
    [event] = outbox(database, tenant.id, TASK_REMINDER_DUE)
    assert event["payload"]["recipient_id"] is None
    assert event["payload"]["notification_id"] is None
    assert client.get(f"/api/v1/tasks/{t['id']}",
                      headers=tenant.headers).json()["reminded_at"] is not None


def test_rapport_worker_once_delivers_due_reminders(client, database, tenant):
    t = task(client, tenant, remind_at=at(-1))
    env = {**os.environ, "RAPPORT_DATABASE_URL": libpq_url(database.owner_url),
           "RAPPORT_APP_DATABASE_URL": libpq_url(database.app_url)}
    r = subprocess.run([sys.executable, "-m", "rapport.cli", "worker", "--once"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert len(stored_notifications(database, tenant.id, t["id"])) == 1
    # The same pass also handed the reminder's event to after-commit consumers.
    with database.connect_superuser() as conn:
        [(dispatched,)] = conn.execute(
            "SELECT dispatched_at FROM event_outbox WHERE tenant_id = %s AND name = %s",
            (tenant.id, TASK_REMINDER_DUE)).fetchall()
    assert dispatched is not None
