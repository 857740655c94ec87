"""``rapport tenants export`` and ``rapport tenants delete``: every tenant table, found from
the catalogue (kernel and plugin tables alike), counted as the superuser sees it."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from rapport.cli import cli
from rapport.db.tenant_data import tenant_tables
from rapport.db.urls import libpq_url
from tests.conftest import sign_up


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def _rapport(database, *args: str, data_dir: Path) -> Ran:
    """The command in this process (click's runner): the same code as the console script,
    without a new interpreter loading every plugin for each call."""
    env = {
        "RAPPORT_DATABASE_URL": libpq_url(database.owner_url),
        "RAPPORT_APP_DATABASE_URL": libpq_url(database.app_url),
        "RAPPORT_DATA_DIR": str(data_dir),
    }
    result = CliRunner().invoke(cli, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)


def _counts(database, tenant_id: str) -> dict[str, int]:
    """Rows of the tenant in every table with a tenant_id, past row-level security."""
    with database.connect_superuser() as conn:
        counts = {}
        for table in tenant_tables(conn):
            row = conn.execute(f'SELECT count(*) FROM "{table}" WHERE tenant_id = %s',
                               (tenant_id,)).fetchone()
            counts[table] = row[0]
        counts["tenants"] = conn.execute("SELECT count(*) FROM tenants WHERE id = %s",
                                         (tenant_id,)).fetchone()[0]
        return counts


@pytest.fixture(scope="module")
def two_tenants(client, database, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    leaving, staying = sign_up(client), sign_up(client)
    for t in (leaving, staying):
        # the vendor plugin's tables (its demo data), and the kernel's through the API
        r = _rapport(database, "demo", "--tenant", t.slug, "--module", "stamps",
                     data_dir=data_dir)
        assert r.returncode == 0, r.stderr
        r = client.post("/api/v1/contacts", headers=t.headers,
                        json={"given_name": "Ірина", "email": "iryna@example.com"})
        assert r.status_code == 201, r.text
        who = r.json()["id"]
        for path, body in (
            ("/api/v1/deals", {"title": "Renewal", "contact_id": who}),
            ("/api/v1/tasks", {"title": "Call", "contact_id": who}),
            ("/api/v1/interactions", {"contact_id": who, "kind": "email", "channel": "email",
                                      "direction": "outbound"}),
        ):
            r = client.post(path, headers=t.headers, json=body)
            assert r.status_code == 201, r.text
    return leaving, staying, data_dir


def test_tenant_tables_come_from_the_catalogue(database):
    with database.connect_superuser() as conn:
        tables = set(tenant_tables(conn))
    # kernel, a bundled plugin's and the vendor plugin's tables, none of the global ones
    assert {"contacts", "audit_events", "medical_encounters", "stamps_cards"} <= tables
    assert not {"tenants", "users", "alembic_version"} & tables


def test_export_writes_every_row_of_the_tenant_and_nothing_else(database, two_tenants,
                                                                tmp_path):
    leaving, _, data_dir = two_tenants
    counts = {t: n for t, n in _counts(database, leaving.id).items() if n}
    assert len(counts) > 15 and counts["stamps_cards"] and counts["deals"]

    out = tmp_path / "jsonl"
    r = _rapport(database, "tenants", "export", leaving.slug, "--out", str(out),
                 data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    written = {k: v for k, v in manifest["tables"].items() if k != "users"}
    assert written == counts
    for table, n in counts.items():
        lines = (out / f"{table}.jsonl").read_text().splitlines()
        assert len(lines) == n
        rows = [json.loads(line) for line in lines]
        key = "id" if table == "tenants" else "tenant_id"
        assert {row[key] for row in rows} == {leaving.id}
    users = [json.loads(x) for x in (out / "users.jsonl").read_text().splitlines()]
    assert leaving.owner_email in {u["email"] for u in users}
    assert all("password_hash" not in u for u in users)

    out_csv = tmp_path / "csv"
    r = _rapport(database, "tenants", "export", leaving.slug, "--out", str(out_csv),
                 "--format", "csv", data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    with (out_csv / "contacts.csv").open(newline="") as f:
        contacts = list(csv.DictReader(f))
    assert len(contacts) == counts["contacts"]
    assert "Ірина" in {c["given_name"] for c in contacts}


def test_export_and_delete_refuse_bad_input(database, two_tenants, tmp_path):
    leaving, _, data_dir = two_tenants
    r = _rapport(database, "tenants", "export", "no-such-org", "--out", str(tmp_path / "x"),
                 data_dir=data_dir)
    assert r.returncode == 1 and "no tenant with slug 'no-such-org'" in r.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    r = _rapport(database, "tenants", "export", leaving.slug, "--out", str(tmp_path / "full"),
                 data_dir=data_dir)
    assert r.returncode == 1 and "is not empty" in r.stderr
    before = _counts(database, leaving.id)
    for confirm in ([], ["--confirm", "someone-else"]):
        r = _rapport(database, "tenants", "delete", leaving.slug, *confirm, data_dir=data_dir)
        assert r.returncode == 1 and f"--confirm {leaving.slug}" in r.stderr
    assert _counts(database, leaving.id) == before


def test_delete_removes_every_row_of_the_tenant_only(database, two_tenants):
    leaving, staying, data_dir = two_tenants
    staying_before = _counts(database, staying.id)
    assert sum(_counts(database, leaving.id).values()) > 0

    r = _rapport(database, "tenants", "delete", leaving.slug, "--confirm", leaving.slug,
                 data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    assert f"deleted tenant {leaving.slug}" in r.stdout
    left = {t: n for t, n in _counts(database, leaving.id).items() if n}
    assert left == {}
    assert _counts(database, staying.id) == staying_before
    r = _rapport(database, "tenants", "delete", leaving.slug, "--confirm", leaving.slug,
                 data_dir=data_dir)
    assert r.returncode == 1 and "no tenant with slug" in r.stderr
