"""Several ``rapport worker`` processes against one database: every event handled exactly
once (rows claimed FOR UPDATE SKIP LOCKED); SIGTERM lets the pass under way finish; a
worker refuses a database behind on migrations."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter

import httpx
import psycopg
from click.testing import CliRunner

from rapport.cli import cli
from rapport.db.urls import libpq_url
from tests.conftest import sign_up
from tests.deploy.otlp import Collector
from tests.deploy.worker_replica import PROBE

REPLICAS = 3


def _wait(condition, what: str, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _outbox(database, tenant_ids) -> dict[str, bool]:
    with database.connect_superuser() as conn:
        rows = conn.execute("SELECT id::text, dispatched_at IS NOT NULL FROM event_outbox "
                            "WHERE tenant_id = ANY(%s::uuid[])", (list(tenant_ids),)).fetchall()
    return dict(rows)


def _delivered(log) -> list[tuple[str, str]]:
    return [tuple(line.split()) for line in log.read_text().splitlines()
            if not line.startswith("ready ")]


def test_worker_replicas_share_the_work_and_stop_gracefully(client, database, tmp_path):
    tenants = [sign_up(client) for _ in range(3)]
    with database.connect_superuser() as conn:
        for t in tenants:
            conn.execute("INSERT INTO tenant_modules (tenant_id, id, name, enabled) "
                         "VALUES (%s, gen_random_uuid(), %s, true)", (t.id, PROBE))
    log = tmp_path / "deliveries.log"
    log.touch()
    env = {**os.environ, "RAPPORT_DATABASE_URL": libpq_url(database.owner_url),
           "RAPPORT_APP_DATABASE_URL": libpq_url(database.app_url),
           "RAPPORT_DATA_DIR": str(tmp_path / "data")}
    workers = [subprocess.Popen([sys.executable, "-m", "tests.deploy.worker_replica", str(log)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for _ in range(REPLICAS)]
    try:
        _wait(lambda: log.read_text().count("ready ") == REPLICAS, "the workers to start")
        for i in range(8):
            for t in tenants:
                r = client.post("/api/v1/contacts", json={"given_name": f"P{i}"},
                                headers=t.headers)
                assert r.status_code == 201, r.text
        ids = {t.id for t in tenants}
        _wait(lambda: all(_outbox(database, ids).values()), "every event to be delivered")
        handled = Counter(event for event, _ in _delivered(log))
        assert set(handled) == set(_outbox(database, ids))
        assert [e for e, n in handled.items() if n > 1] == []  # never twice
        print("deliveries per worker process:", Counter(pid for _, pid in _delivered(log)))

        # SIGTERM while a delivery waits on a lock this test holds: that pass finishes.
        with database.connect_superuser() as holder:
            holder.execute("SELECT pg_advisory_lock(42)")
            r = client.post("/api/v1/contacts", json={"given_name": "Slow"},
                            headers=tenants[0].headers)
            slow = r.json()["id"]
            _wait(lambda: holder.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ).fetchone()[0], "a worker to wait on the lock")
            for w in workers:
                w.send_signal(signal.SIGTERM)
            holder.execute("SELECT pg_advisory_unlock(42)")
        outputs = [w.communicate(timeout=120) for w in workers]
        assert [w.returncode for w in workers] == [0] * REPLICAS, outputs
        assert all("stopped_by SIGTERM" in out for out, _ in outputs), outputs
        with database.connect_superuser() as conn:
            done = conn.execute("SELECT dispatched_at IS NOT NULL FROM event_outbox "
                                "WHERE tenant_id = %s AND record_id = %s",
                                (tenants[0].id, slow)).fetchone()
        assert done == (True,)
        assert Counter(e for e, _ in _delivered(log)).most_common(1)[0][1] == 1
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.communicate()


def test_worker_refuses_a_database_behind_on_migrations(database, tmp_path):
    name = f"behind_{os.getpid()}"
    with psycopg.connect(database.superuser_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" OWNER rapport_owner')
    try:
        env = {"RAPPORT_DATABASE_URL": libpq_url(database.owner_url.set(database=name)),
               "RAPPORT_APP_DATABASE_URL": libpq_url(database.app_url.set(database=name)),
               "RAPPORT_DATA_DIR": str(tmp_path)}
        result = CliRunner().invoke(cli, ["worker", "--once"], env=env)
        assert result.exit_code == 1
        assert "the database is behind on migrations (not applied: " in result.stderr
        assert "medical_0003" in result.stderr  # a plugin's branch head among them
        assert "run `rapport db upgrade` first" in result.stderr
    finally:
        with psycopg.connect(database.superuser_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')




def test_worker_serves_its_metrics(client, database, tmp_path):
    """rapport worker --metrics-port: the delivery lag of what it delivered, no tenant."""
    t = sign_up(client)
    assert client.post("/api/v1/contacts", json={"given_name": "Lag"},
                       headers=t.headers).status_code == 201
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"RAPPORT_DATABASE_URL": libpq_url(database.owner_url),
           "RAPPORT_APP_DATABASE_URL": libpq_url(database.app_url),
           "RAPPORT_DATA_DIR": str(tmp_path)}
    # In this process: the metrics server is a daemon thread that outlives the command.
    result = CliRunner().invoke(cli, ["worker", "--once", "--metrics-port", str(port)], env=env)
    assert result.exit_code == 0, result.output
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    count = re.search(r"^rapport_outbox_delivery_lag_seconds_count (\S+)$", text, re.M)
    assert count and float(count[1]) >= 1
    assert "rapport_outbox_tenants_due" in text and t.slug not in text and t.id not in text


def test_worker_passes_are_traced(client, database, tmp_path):
    """A pass that delivered something is a span at the OTLP/HTTP collector."""
    t = sign_up(client)
    assert client.post("/api/v1/contacts", json={"given_name": "Traced"},
                       headers=t.headers).status_code == 201
    collector = Collector()
    receiver = collector.serve()
    try:
        env = {**os.environ, "RAPPORT_DATABASE_URL": libpq_url(database.owner_url),
               "RAPPORT_APP_DATABASE_URL": libpq_url(database.app_url),
               "RAPPORT_DATA_DIR": str(tmp_path),
               "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{collector.port}",
               "OTEL_SERVICE_NAME": "rapport-worker-test"}
        r = subprocess.run([sys.executable, "-m", "rapport.cli", "worker", "--once"], env=env,
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
    finally:
        receiver.shutdown()
    passes = [s for s in collector.spans if s["name"] == "worker pass"]
    assert passes and passes[0]["service"]["service.name"] == "rapport-worker-test"
    assert passes[0]["attributes"]["rapport.events_handled"].int_value >= 1
