"""Citus readiness, proved on the catalogue (Citus itself does not run here): every table
distributable by tenant_id or given a role, keys that include tenant_id, and an order of
create_*_table calls that Citus accepts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from rapport.cli import cli
from rapport.db.citus import LOCAL_TABLES, REFERENCE_TABLES, check
from rapport.db.tenant_data import tenant_tables
from rapport.db.urls import libpq_url


def test_every_table_is_distributable_by_tenant_id(database):
    with database.connect_superuser() as conn:
        readiness = check(conn)
        assert readiness.problems == []
        assert set(readiness.distributed) == set(tenant_tables(conn))
    # the roles kept as data name real tables, and every table has exactly one place
    assert set(readiness.reference) == REFERENCE_TABLES
    assert set(readiness.local) == LOCAL_TABLES
    every = readiness.distributed + readiness.reference + readiness.local
    assert sorted(readiness.plan) == sorted(every) and len(set(every)) == len(every)


def test_the_plan_distributes_referenced_tables_first(database):
    with database.connect_superuser() as conn:
        readiness = check(conn)
        edges = conn.execute(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid <> confrelid").fetchall()
    position = {t: i for i, t in enumerate(readiness.plan)}
    assert edges and all(position[dst] < position[src] for src, dst in edges)


def test_what_citus_would_refuse_is_named(database):
    """Tables made in a transaction that is rolled back: each kind of refusal is found."""
    with database.connect_superuser() as conn, conn.transaction(force_rollback=True):
        conn.execute("CREATE TABLE citus_probe (id uuid PRIMARY KEY, tenant_id uuid NOT NULL,"
                     " email text, UNIQUE (tenant_id, email))")
        conn.execute("CREATE UNIQUE INDEX citus_probe_email ON citus_probe (lower(email))")
        conn.execute("CREATE TABLE citus_child (tenant_id uuid NOT NULL, probe_id uuid"
                     " REFERENCES citus_probe (id), PRIMARY KEY (tenant_id, probe_id))")
        conn.execute("CREATE TABLE citus_settings (key text PRIMARY KEY, probe_id uuid"
                     " REFERENCES citus_probe (id))")
        problems = check(conn).problems
    assert sorted(problems) == sorted([
        "citus_probe: unique key citus_probe_pkey (id) lacks tenant_id",
        "citus_probe: unique expression index citus_probe_email (expressions) lacks tenant_id",
        "citus_child.citus_child_probe_id_fkey: foreign key to citus_probe (probe_id) does "
        "not join on tenant_id",
        "citus_settings: no tenant_id and no reference or local role (rapport.db.citus)",
        "citus_settings.citus_settings_probe_id_fkey: citus_settings (unknown) may not "
        "reference the distributed table citus_probe",
    ])


def test_citus_plan_command(database):
    env = {"RAPPORT_DATABASE_URL": libpq_url(database.owner_url)}
    result = CliRunner().invoke(cli, ["db", "citus-plan"], env=env)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("-- ") and "local (alembic_version)" in lines[0]
    assert "SELECT create_reference_table('tenants');" in lines
    tenants = lines.index("SELECT create_reference_table('tenants');")
    contacts = lines.index("SELECT create_distributed_table('contacts', 'tenant_id', "
                           "colocate_with => 'default');")
    assert tenants < contacts


def test_the_deploy_docs_match_the_catalogue(database):
    """docs/deploy.md's Citus section lists the same tables and calls as the schema."""
    text = Path(__file__).parents[2].joinpath("docs", "deploy.md").read_text()
    section = text.split("## Citus", 1)[1].split("\n## ", 1)[0]
    with database.connect_superuser() as conn:
        readiness = check(conn)
    # the suite's own vendor plugin (tests/vendor_plugin, rapport_stamps) is not bundled
    expected = [c for c in readiness.calls() if "'stamps_" not in c]
    distributed = {t for t in readiness.distributed if not t.startswith("stamps_")}
    calls = section.split("```sql\n", 1)[1].split("```", 1)[0].splitlines()
    assert calls == ["CREATE EXTENSION citus;", *expected], \
        "docs/deploy.md: paste `rapport db citus-plan`:\n" + "\n".join(expected)

    def names(start: str, end: str) -> set[str]:
        return set(re.findall(r"`(\w+)`", section.split(start, 1)[1].split(end, 1)[0]))

    assert names("**Reference tables:**", "**Local:**") == set(readiness.reference)
    assert names("**Local:**", "**Distributed") == set(readiness.local)
    listed = names("join them by having `tenant_id`):", "The calls, in order")
    assert listed == distributed, (sorted(distributed - listed), sorted(listed - distributed))


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("RAPPORT_DATA_DIR", str(tmp_path))

