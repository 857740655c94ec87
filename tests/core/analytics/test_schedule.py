"""The worker queues a tenant's recompute when transactions arrived since its last completed
one, at most once per RAPPORT_ANALYTICS_EVERY_HOURS, and runs it in the same pass."""

from __future__ import annotations

import functools
from datetime import timedelta

from rapport.core.analytics import jobs
from rapport.hooks import PeriodicWork
from rapport.worker import periodic_work
from tests.conftest import sign_up
from tests.core.analytics.test_analytics_api import ANALYTICS, _buy, _contact, run_worker


def _worker_pass(client) -> None:
    state = client.app.state
    work = PeriodicWork(state.sessionmaker, state.registry, batch=200, max_tenants=1_000_000)
    client.blocking_portal.call(functools.partial(periodic_work, work))


def _schedule(client, every: timedelta | None = None) -> int:
    state = client.app.state
    return client.blocking_portal.call(
        functools.partial(jobs.schedule_due, state.sessionmaker, 1_000_000, every))


def _jobs(database, tenant_id) -> list[tuple]:
    with database.connect_superuser() as conn:
        return conn.execute(
            "SELECT status, created_by, results ? 'scheduled' FROM analytics_jobs "
            "WHERE tenant_id = %s ORDER BY created_at", (tenant_id,)).fetchall()


def test_new_transactions_queue_a_recompute_once_per_interval(client, database,
                                                              monkeypatch) -> None:
    t = sign_up(client)
    ann, bob = _contact(client, t, "Ann"), _contact(client, t, "Bob")
    for days in (5, 40, 70):
        _buy(client, t, ann, "80.00", days)
    _buy(client, t, bob, "20.00", 50)
    # Never computed: nothing is scheduled (the first recompute chooses the settings).
    _worker_pass(client)
    assert _jobs(database, t.id) == []
    r = client.post(f"{ANALYTICS}/recompute", headers=t.headers, json={"period_days": 200})
    assert r.status_code == 202, r.text
    run_worker(client)
    assert [j[0] for j in _jobs(database, t.id)] == ["completed"]
    # Nothing new since it: no recompute, however short the interval.
    assert t.id not in _stale(client)
    _worker_pass(client)
    assert len(_jobs(database, t.id)) == 1
    # A purchase arrives: within the day (the default interval) nothing yet.
    _buy(client, t, bob, "45.00", 1)
    _worker_pass(client)
    assert len(_jobs(database, t.id)) == 1
    # A day later the worker's pass queues one with the saved settings and runs it.
    with database.connect_superuser() as conn:
        conn.execute("UPDATE analytics_jobs SET created_at = created_at - interval '25 hours'"
                     " WHERE tenant_id = %s", (t.id,))
    _worker_pass(client)
    made = _jobs(database, t.id)
    assert made[-1] == ("completed", None, True) and len(made) == 2
    job = client.get(f"{ANALYTICS}/summary", headers=t.headers).json()["job"]
    assert job["parameters"]["period_days"] == 200
    bob_now = client.get(f"{ANALYTICS}/contacts/{bob}", headers=t.headers).json()
    assert bob_now["rfm"]["f"] is not None
    # Caught up: the next pass queues nothing; RAPPORT_ANALYTICS_EVERY_HOURS=0 turns it off.
    _worker_pass(client)
    assert len(_jobs(database, t.id)) == 2
    _buy(client, t, ann, "10.00", 0)
    monkeypatch.setenv("RAPPORT_ANALYTICS_EVERY_HOURS", "0")
    assert _schedule(client) == 0
    monkeypatch.setenv("RAPPORT_ANALYTICS_EVERY_HOURS", "1")
    with database.connect_superuser() as conn:
        conn.execute("UPDATE analytics_jobs SET created_at = created_at - interval '2 hours'"
                     " WHERE tenant_id = %s", (t.id,))
    assert _schedule(client) >= 1
    assert [j[0] for j in _jobs(database, t.id)][-1] == "queued"
    # One queued is enough: no second one while it waits.
    assert t.id not in _stale(client)


def _stale(client) -> set:
    state = client.app.state

    async def ask() -> set:
        from sqlalchemy import text

        from rapport.db.session import tenant_session
        async with tenant_session(state.sessionmaker, None) as session:
            rows = await session.execute(
                text("SELECT rapport_analytics_stale_tenants(now(), 1000000)"))
            return {str(r[0]) for r in rows}
    return client.blocking_portal.call(ask)
