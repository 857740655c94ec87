"""The audit log is hash-chained: ``rapport audit verify`` catches edits and deletions."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading

import psycopg
import pytest

from rapport.db.urls import libpq_url
from tests.conftest import TenantHandle


def _verify(database, slug: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RAPPORT_DATABASE_URL": libpq_url(database.owner_url)}
    return subprocess.run(
        [sys.executable, "-m", "rapport.cli", "audit", "verify", "--tenant", slug],
        capture_output=True, text=True, env=env, timeout=120,
    )


def _entries(client, t: TenantHandle, n: int) -> list[str]:
    ids = []
    for i in range(n):
        r = client.post("/api/v1/contacts", json={"given_name": f"Chain{i}"}, headers=t.headers)
        assert r.status_code == 201
        ids.append(r.json()["id"])
    return ids


def _chain(database, tenant_id: str) -> list[tuple]:
    with database.connect_superuser() as conn:
        return conn.execute(
            "SELECT seq, prev_hash, hash, id FROM audit_events WHERE tenant_id = %s ORDER BY seq",
            (tenant_id,),
        ).fetchall()


def test_entries_are_sealed_in_order(client, database, tenant):
    _entries(client, tenant, 3)
    chain = _chain(database, tenant.id)
    assert [row[0] for row in chain] == list(range(1, len(chain) + 1))
    assert chain[0][1] == ""
    for before, after in itertools.pairwise(chain):
        assert after[1] == before[2]
    r = _verify(database, tenant.slug)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"{tenant.slug}: ok ({len(chain)} entries)" in r.stdout


def test_an_edited_entry_breaks_the_chain(client, database, tenant, other_tenant):
    _entries(client, tenant, 3)
    _entries(client, other_tenant, 1)
    with database.connect_superuser() as conn:
        conn.execute(
            "UPDATE audit_events SET detail = '{\"forged\": true}' "
            "WHERE tenant_id = %s AND seq = 2", (tenant.id,),
        )
    r = _verify(database, tenant.slug)
    assert r.returncode == 1
    assert "entry 2: contents do not match its hash (edited)" in r.stdout
    # Another tenant's chain is unaffected.
    assert _verify(database, other_tenant.slug).returncode == 0


def test_a_deleted_entry_breaks_the_chain(client, database, tenant):
    _entries(client, tenant, 3)
    with database.connect_superuser() as conn:
        conn.execute("DELETE FROM audit_events WHERE tenant_id = %s AND seq = 2", (tenant.id,))
    r = _verify(database, tenant.slug)
    assert r.returncode == 1 and "missing (deleted)" in r.stdout


def test_deleting_the_newest_entry_is_caught_by_the_head(client, database, tenant):
    _entries(client, tenant, 2)
    with database.connect_superuser() as conn:
        conn.execute(
            "DELETE FROM audit_events WHERE tenant_id = %s AND seq = "
            "(SELECT max(seq) FROM audit_events WHERE tenant_id = %s)", (tenant.id, tenant.id),
        )
    r = _verify(database, tenant.slug)
    assert r.returncode == 1 and "chain head says" in r.stdout


def test_the_app_role_cannot_touch_the_chain(client, database, tenant):
    _entries(client, tenant, 1)
    with database.connect_app() as conn:
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant.id,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM audit_chain_heads")
        conn.rollback()
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant.id,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE audit_events SET hash = 'x' WHERE tenant_id = %s", (tenant.id,))


def test_concurrent_writers_get_distinct_consecutive_positions(client, database, tenant):
    def write() -> None:
        for _ in range(5):
            _entries(client, tenant, 1)

    threads = [threading.Thread(target=write) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seqs = [row[0] for row in _chain(database, tenant.id)]
    assert seqs == list(range(1, len(seqs) + 1))
    assert _verify(database, tenant.slug).returncode == 0


def test_unknown_tenant_is_a_clear_error(database):
    r = _verify(database, "no-such-tenant")
    assert r.returncode != 0 and "no tenant" in r.stderr
