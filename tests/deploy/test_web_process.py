"""``rapport run --workers 2`` as a real process: /metrics summed over both workers (route
templates, no tenant or person in labels), OpenTelemetry spans received by a loopback
OTLP/HTTP collector with their trace ids in the JSON logs, and SIGTERM letting a request
under way finish before the process exits."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest

from rapport.db.urls import libpq_url
from tests.conftest import TEST_SECRET, unique
from tests.deploy.otlp import Collector


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log_path: object
    collector: Collector


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(condition, what: str, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def server(database, tmp_path_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("web")
    collector = Collector()
    receiver = collector.serve()
    port = _free_port()
    log_path = folder / "server.log"
    env = {**os.environ,
           "RAPPORT_DATABASE_URL": libpq_url(database.owner_url),
           "RAPPORT_APP_DATABASE_URL": libpq_url(database.app_url),
           "RAPPORT_DATA_DIR": str(folder / "data"), "RAPPORT_SECRET_KEY": TEST_SECRET,
           "RAPPORT_LOG_JSON": "1", "RAPPORT_PUBLIC_ACTION_LIMIT": "1000",
           "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{collector.port}",
           "OTEL_SERVICE_NAME": "rapport-test", "OTEL_BSP_SCHEDULE_DELAY": "50"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rapport.cli", "run", "--workers", "2", "--no-migrate",
             "--port", str(port)], env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(url + "/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            assert process.poll() is None, log_path.read_text()
            return False

    try:
        _wait(up, "rapport run to listen", timeout=300)
        yield Server(process, url, log_path, collector)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        receiver.shutdown()


def _tenant(server: Server) -> tuple[str, dict[str, str]]:
    slug = unique("web")
    password = "correct horse battery staple"
    r = httpx.post(server.url + "/api/v1/signup", json={
        "organization": {"name": "Web Org", "slug": slug},
        "admin": {"email": f"olena@{slug}.example.com", "password": password,
                  "full_name": "Olena Owner"}}, timeout=30)
    assert r.status_code == 201, r.text
    r = httpx.post(server.url + "/api/v1/auth/login", json={
        "tenant": slug, "email": f"olena@{slug}.example.com", "password": password}, timeout=30)
    assert r.status_code == 200, r.text
    return slug, {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_metrics_sum_both_workers_by_route_template(server):
    slug, headers = _tenant(server)
    r = httpx.post(server.url + "/api/v1/contacts", headers=headers, timeout=30,
                   json={"given_name": "Metrics", "email": "metrics.person@example.com"})
    contact = r.json()["id"]
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
        # new connections: the kernel spreads them over both processes
        for _ in range(6):
            assert http.get(f"/api/v1/contacts/{contact}",
                            headers={"connection": "close"}).status_code == 200
        assert http.get("/api/v1/contacts/00000000-0000-0000-0000-000000000000"
                        ).status_code == 404
    text = httpx.get(server.url + "/metrics", timeout=30).text
    line = ('rapport_http_request_duration_seconds_count{method="GET",'
            'route="/api/v1/contacts/{contact_id}",status="200"} 6.0')
    assert line in text
    assert 'route="/api/v1/contacts/{contact_id}",status="404"} 1.0' in text
    assert "rapport_db_pool_connections_capacity" in text
    assert "rapport_db_pool_connections_in_use" in text
    assert "rapport_imports_in_progress" in text
    # no tenant, person or record in any label
    for private in (slug, contact, "metrics.person", "olena"):
        assert private not in text
    assert "/metrics" not in httpx.get(server.url + "/schema/openapi.json", timeout=60).text


def test_traces_reach_the_collector_with_their_ids_in_the_logs(server):
    _, headers = _tenant(server)
    trace_id = os.urandom(16).hex()
    parent = f"00-{trace_id}-{os.urandom(8).hex()}-01"
    r = httpx.get(server.url + "/api/v1/contacts", timeout=30,
                  headers={**headers, "traceparent": parent, "x-request-id": "traced-1"})
    assert r.status_code == 200
    spans = _wait(lambda: [s for s in server.collector.spans
                           if s["trace_id"] == trace_id and s["name"].startswith("GET ")],
                  "the span at the collector")
    assert spans[0]["name"] == "GET /api/v1/contacts"
    assert spans[0]["path"] == "/v1/traces"
    assert spans[0]["service"]["service.name"] == "rapport-test"
    assert spans[0]["attributes"]["http.response.status_code"].int_value == 200
    # the request's statements, as child spans in the same trace (BEGIN, the tenant, SELECT)
    names = {s["name"] for s in server.collector.spans if s["trace_id"] == trace_id}
    assert "SELECT" in names
    lines = [json.loads(x) for x in server.log_path.read_text().splitlines()
             if x.startswith("{") and '"traced-1"' in x]
    assert lines and all(x["trace_id"] == trace_id for x in lines)


def test_sigterm_lets_the_request_under_way_finish(server, database):
    _, headers = _tenant(server)
    with database.connect_superuser() as holder, holder.transaction():
        holder.execute("LOCK TABLE contacts IN ACCESS EXCLUSIVE MODE")
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(httpx.get, server.url + "/api/v1/contacts",
                                  headers=headers, timeout=120)
            _wait(lambda: holder.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = 'contacts' AND NOT l.granted").fetchone()[0],
                "the request to wait on the lock")
            server.process.send_signal(signal.SIGTERM)
            # The server stops taking new connections while the request waits.
            _wait(lambda: _refused(server.url), "the listener to close")
            holder.execute("COMMIT")  # the lock goes: the request can finish
            answer = pending.result(timeout=120)
    assert answer.status_code == 200 and "items" in answer.json()
    assert server.process.wait(timeout=120) == 0
    assert "Rapport stopped" in server.log_path.read_text()


def _refused(url: str) -> bool:
    try:
        httpx.get(url + "/healthz", timeout=2)
    except httpx.TransportError:
        return True
    return False


def test_a_dead_workers_live_gauges_are_dropped(tmp_path, monkeypatch):
    """What a replacement worker does as it starts (rapport.serving.worker_app)."""
    from rapport import telemetry

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    monkeypatch.setenv(telemetry.MULTIPROC_ENV, str(tmp_path))
    for name in (f"gauge_livesum_{gone.pid}.db", f"gauge_livesum_{os.getpid()}.db",
                 f"counter_{gone.pid}.db"):
        (tmp_path / name).write_bytes(b"")
    assert telemetry.forget_dead_processes() == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"counter_{gone.pid}.db", f"gauge_livesum_{os.getpid()}.db"]
