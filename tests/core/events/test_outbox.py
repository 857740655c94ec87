"""Domain events: in the outbox with the change, never without it; delivered after commit."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import types

from rapport.db.urls import libpq_url
from rapport.hooks import PluginManifest, hookimpl, load_registry
from tests.core.events.support import deliver


def _outbox(database, tenant_id: str) -> list[tuple]:
    with database.connect_superuser() as conn:
        return conn.execute(
            "SELECT name, record_id::text, dispatched_at, attempts, last_error FROM event_outbox"
            " WHERE tenant_id = %s ORDER BY id", (tenant_id,),
        ).fetchall()


def test_a_committed_change_leaves_its_event(client, database, tenant):
    r = client.post("/api/v1/contacts", json={"given_name": "Evhen"}, headers=tenant.headers)
    events = _outbox(database, tenant.id)
    assert [(e[0], e[1]) for e in events] == [("contact.created", r.json()["id"])]


def test_a_rolled_back_change_emits_nothing(client, database, tenant):
    client.post("/api/v1/contacts", json={"email": "dup@example.com"}, headers=tenant.headers)
    r = client.post("/api/v1/contacts", json={"email": "dup@example.com"}, headers=tenant.headers)
    assert r.status_code == 409
    assert len(_outbox(database, tenant.id)) == 1


def _consumer(seen: list[str], fail_on: str | None = None) -> types.ModuleType:
    mod = types.ModuleType("outbox_consumer")

    def manifest() -> PluginManifest:
        return PluginManifest("consumer", "Consumer", "1.0")

    def committed(event) -> None:
        if event.payload.get("given_name") == fail_on:
            raise RuntimeError("mail server down")
        seen.append(str(event.record_id))

    mod.rapport_manifest = hookimpl(manifest)
    mod.rapport_event_committed = hookimpl(committed)
    return mod


def test_worker_delivers_after_commit_and_retries_failures(client, database, tenant):
    seen: list[str] = []
    registry = load_registry(extra=[("consumer", _consumer(seen, fail_on="Broken"))],
                             entry_points_too=False)
    ok = client.post("/api/v1/contacts", json={"given_name": "Fine"}, headers=tenant.headers)
    client.post("/api/v1/contacts", json={"given_name": "Broken"}, headers=tenant.headers)
    # The consumer is not enabled for this tenant in the database: it hears nothing.
    deliver(database, registry)
    assert seen == []
    with database.connect_superuser() as conn:
        conn.execute("INSERT INTO tenant_modules (tenant_id, id, name, enabled) "
                     "VALUES (%s, gen_random_uuid(), 'consumer', true)", (tenant.id,))
        conn.execute("UPDATE event_outbox SET dispatched_at = NULL WHERE tenant_id = %s",
                     (tenant.id,))
    deliver(database, registry)
    assert seen == [ok.json()["id"]]
    events = {e[1]: e for e in _outbox(database, tenant.id)}
    broken = next(e for e in events.values() if e[2] is None)
    assert broken[3] == 1 and "mail server down" in broken[4]
    # Not due again yet: backoff.
    deliver(database, registry)
    assert seen == [ok.json()["id"]]


def test_worker_command_runs_once(database, client, tenant):
    client.post("/api/v1/contacts", json={"given_name": "Queued"}, headers=tenant.headers)
    env = {**os.environ, "RAPPORT_DATABASE_URL": libpq_url(database.owner_url),
           "RAPPORT_APP_DATABASE_URL": libpq_url(database.app_url)}
    r = subprocess.run([sys.executable, "-m", "rapport.cli", "worker", "--once"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "delivered" in r.stdout
    assert all(e[2] is not None for e in _outbox(database, tenant.id))


def test_the_app_role_learns_only_which_tenants_are_due(database, client, tenant):
    client.post("/api/v1/contacts", json={"given_name": "Due"}, headers=tenant.headers)
    with database.connect_app() as conn:
        tenants = [str(r[0]) for r in conn.execute("SELECT rapport_outbox_due_tenants(1000000)")]
        assert conn.execute("SELECT count(*) FROM event_outbox").fetchone()[0] == 0
    assert tenant.id in tenants


def test_once_delivers_everything_due_even_past_a_pass_s_tenant_cap(
        client, database, tenant, other_tenant):
    from rapport.worker import run

    seen: list[str] = []
    registry = load_registry(extra=[("consumer", _consumer(seen, fail_on=None))],
                             entry_points_too=False)
    ids = []
    for t in (tenant, other_tenant):
        with database.connect_superuser() as conn:
            conn.execute("INSERT INTO tenant_modules (tenant_id, id, name, enabled) "
                         "VALUES (%s, gen_random_uuid(), 'consumer', true)", (t.id,))
        r = client.post("/api/v1/contacts", json={"given_name": "Due"}, headers=t.headers)
        ids.append(r.json()["id"])
    # Only these two are due (the suite's shared database holds other tests' undelivered
    # events, older than ours); one tenant a pass: "once" still passes until nothing is due.
    with database.connect_superuser() as conn:
        conn.execute("UPDATE event_outbox SET dispatched_at = now() WHERE dispatched_at IS NULL"
                     " AND tenant_id <> ALL(%s::uuid[])", ([tenant.id, other_tenant.id],))
    result = asyncio.run(run(database.app_url, registry, once=True, max_tenants=1))
    assert result.passes >= 3 and set(ids) <= set(seen)
    assert all(e[2] is not None for t in (tenant, other_tenant) for e in _outbox(database, t.id))
