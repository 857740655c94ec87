"""Rapport behind a real PgBouncer in transaction mode (Debian's ``pgbouncer``), in front of
the suite's PostgreSQL: few server connections shared by many client transactions, so any
session state (a SET, a prepared statement, a tenant left on a connection) would show.

The tenant is set per transaction (``set_config(..., true)``) and psycopg never prepares
(``prepare_threshold=None`` in ``rapport.db.session.CONNECT_ARGS``), which PgBouncer
before 1.21 cannot carry in this mode. Step-by-step imports keep their staged rows in a
tenant table, not in a connection's temporary table. PgBouncer hands out its server
connections round robin, so one client's consecutive transactions change servers.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from litestar.testing import TestClient

from rapport.app import create_app
from rapport.core.imports.cli import run_cli_import
from rapport.core.imports.runner import ImportOptions, ImportStopped
from rapport.db.session import CONNECT_ARGS
from tests.conftest import make_settings, sign_up
from tests.core.imports.support import csv_text, superuser_count
from tests.core.imports.test_cli import HEADER, CrashOnBatch, _import_record, _people

PGBOUNCER = shutil.which("pgbouncer") or (
    "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None)
pytestmark = pytest.mark.skipif(
    PGBOUNCER is None, reason="pgbouncer is not installed (make test installs it with apt-get)")
SERVER_CONNECTIONS = 2


def _server_address(database) -> tuple[str, int]:
    """Where PostgreSQL listens: the URL's host (a socket folder or a name) and port."""
    parts = urlsplit(database.superuser_url)
    host = parts.hostname or parse_qs(parts.query).get("host", ["localhost"])[0]
    with database.connect_superuser() as conn:
        port = int(conn.execute("SHOW port").fetchone()[0])
    return host, parts.port or port


@pytest.fixture(scope="module")
def bouncer(database, tmp_path_factory) -> Iterator[int]:
    folder = tmp_path_factory.mktemp("pgbouncer")
    folder.chmod(0o755)
    host, port = _server_address(database)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        listen = s.getsockname()[1]
    (folder / "users.txt").write_text('"rapport_app" "rapport_app"\n')
    (folder / "pgbouncer.ini").write_text(f"""
[databases]
{database.app_url.database} = host={host} port={port} dbname={database.app_url.database}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = plain
auth_file = {folder / "users.txt"}
admin_users = rapport_app
pool_mode = transaction
default_pool_size = {SERVER_CONNECTIONS}
server_round_robin = 1
max_client_conn = 200
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
""")
    for f in folder.iterdir():
        f.chmod(0o644)
    # PgBouncer will not run as root; it runs as whoever may open the server's socket.
    argv = [PGBOUNCER, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:
        owner = pwd.getpwuid(os.stat(host).st_uid).pw_name if host.startswith("/") else "nobody"
        argv[1:1] = ["-u", owner]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", listen), timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"pgbouncer did not start: {process.communicate()[0]}")
            time.sleep(0.05)
    try:
        yield listen
    finally:
        process.terminate()
        process.communicate(timeout=30)


def _transactions(database, port: int) -> int:
    """Transactions PgBouncer has passed to the database (0 before its first)."""
    with psycopg.connect(host="127.0.0.1", port=port, dbname="pgbouncer", user="rapport_app",
                         password="rapport_app", autocommit=True) as admin:
        cursor = admin.execute("SHOW STATS")
        names = [c.name for c in cursor.description]
        for row in cursor.fetchall():
            stats = dict(zip(names, row, strict=True))
            if stats["database"] == database.app_url.database:
                return int(stats["total_xact_count"])
    return 0


def test_requests_through_pgbouncer_in_transaction_mode(database, bouncer):
    assert CONNECT_ARGS["prepare_threshold"] is None  # never a server-side prepare
    url = database.app_url.set(host="127.0.0.1", port=bouncer, query={})
    before = _transactions(database, bouncer)
    # More pooled client connections than PgBouncer has server connections: consecutive
    # transactions of one client connection land on different server connections.
    app = create_app(make_settings(), url, pool_size=6, max_overflow=0)
    with TestClient(app) as http:
        a, b = sign_up(http), sign_up(http)
        made = {}
        for t in (a, b):
            for i in range(6):
                r = http.post("/api/v1/contacts", headers=t.headers,
                              json={"given_name": f"Pooled {i}", "email": f"p{i}@{t.slug}.io"})
                assert r.status_code == 201, r.text
                made.setdefault(t.slug, set()).add(r.json()["id"])
        for t, other in ((a, b), (b, a)):
            listed = http.get("/api/v1/contacts?limit=50", headers=t.headers)
            assert listed.status_code == 200, listed.text
            assert {c["id"] for c in listed.json()["items"]} == made[t.slug]
            theirs = next(iter(made[other.slug]))
            assert http.get(f"/api/v1/contacts/{theirs}", headers=t.headers).status_code == 404
        # a refused write leaves nothing half-done, and the next transaction is clean
        r = http.post("/api/v1/contacts", headers=a.headers,
                      json={"given_name": "Twin", "email": f"p0@{a.slug}.io"})
        assert r.status_code == 409
        assert http.get("/readyz").status_code == 200
    assert _transactions(database, bouncer) - before > 30


def test_a_step_by_step_import_through_pgbouncer_stops_and_resumes(database, bouncer, tenant,
                                                                   tmp_path):
    url = database.app_url.set(host="127.0.0.1", port=bouncer, query={})
    path = tmp_path / "people.csv"
    path.write_text(csv_text(HEADER, *_people(30)))

    def run(**extra):
        return asyncio.run(run_cli_import(url, tenant.slug, path, ImportOptions(batch_size=4),
                                          writers=2, show_progress=False, **extra))

    with pytest.raises(ImportStopped, match="power cut"):
        run(hooks=CrashOnBatch(5))  # batches 1-4 commit, each its own transaction
    assert _import_record(database, tenant.id) == [("failed", 16, 16, 0, 30)]
    outcome = run()
    assert (outcome.resumed_from, outcome.created, outcome.status) == (16, 30, "completed")
    assert _import_record(database, tenant.id) == [("completed", 30, 30, 0, 30)]
    assert superuser_count(database, "contacts", tenant.id) == 30
    assert superuser_count(database, "import_staged_rows", tenant.id) == 0
