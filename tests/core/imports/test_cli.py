"""``rapport import contacts``: a dry run lists each row's errors; invalid rows refuse the
import unless ``--skip-invalid``; batches commit with a checkpoint, so a crash or a kill
leaves a recorded point and running the same command again finishes without duplicates;
``--atomic`` leaves nothing or everything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from rapport.core.imports.cli import import_group
from rapport.core.imports.runner import ImportRefused, ImportStopped
from rapport.db.urls import libpq_url
from tests.core.imports.support import cli_import, csv_text, superuser_count

HEADER = ["external_id", "given_name", "email"]


def _people(n: int, start: int = 0) -> list[list[str]]:
    return [[f"p-{i}", f"Person{i}", f"p{i}@x.example"] for i in range(start, start + n)]


@pytest.fixture
def cli_env(database, monkeypatch):
    monkeypatch.setenv("RAPPORT_DATABASE_URL", libpq_url(database.owner_url))
    monkeypatch.setenv("RAPPORT_APP_DATABASE_URL", libpq_url(database.app_url))


def _import_record(database, tenant_id):
    with database.connect_superuser() as conn:
        return conn.execute(
            "SELECT status, processed_rows, created_count, updated_count, total_rows "
            "FROM contact_imports WHERE tenant_id = %s AND NOT dry_run", (tenant_id,)
        ).fetchall()


KILLED_IMPORT = "rapport-test-killed-import"


def _wait_for_backends_to_end(database, application_name: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with database.connect_superuser() as conn:
            [(left,)] = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                (application_name,)).fetchall()
        if left == 0:
            return
        time.sleep(0.05)
    raise AssertionError(f"the killed import's connections are still open: {left}")


class CrashOnBatch:
    """Hooks whose handler of ``contacts.imported`` dies in the n-th batch's transaction."""

    def __init__(self, batch: int) -> None:
        self.batch, self.seen = batch, 0

    async def call_each(self, hook, **kwargs):
        if hook == "rapport_event" and kwargs["event"].name == "contacts.imported":
            self.seen += 1
            if self.seen == self.batch:
                raise RuntimeError("power cut")
        return []


def test_dry_run_refusal_and_skip_invalid_through_the_command(cli_env, database, tenant,
                                                               tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(csv_text(["ID", *HEADER[1:]], *_people(3), ["p-9", "Bad", "nope"]))
    args = ["contacts", str(path), "--tenant", tenant.slug, "--map", "ID=external_id"]
    dry = CliRunner().invoke(import_group, [*args, "--dry-run"])
    assert dry.exit_code == 1, dry.output
    assert "row 5, column email: must be an email address" in dry.output
    assert "3 contacts would be created" in dry.output
    refused = CliRunner().invoke(import_group, args)
    assert refused.exit_code == 1 and "1 rows are invalid; nothing was imported" in refused.output
    assert superuser_count(database, "contacts", tenant.id) == 0
    done = CliRunner().invoke(import_group, [*args, "--skip-invalid"])
    assert done.exit_code == 0, done.output
    assert "3 contacts were created, 0 updated" in done.output and "1 invalid" in done.output
    assert superuser_count(database, "contacts", tenant.id) == 3
    missing = CliRunner().invoke(import_group, ["contacts", str(path), "--tenant", "nobody"])
    assert missing.exit_code == 1 and "no tenant with slug 'nobody'" in missing.output


def test_a_crash_keeps_committed_batches_and_the_rerun_finishes_them(database, tenant,
                                                                    tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(csv_text(HEADER, *_people(10)))
    with pytest.raises(ImportStopped) as stopped:
        cli_import(database, tenant, path, batch_size=3, hooks=CrashOnBatch(3))
    assert "power cut" in str(stopped.value)
    # Batches 1 and 2 committed with their checkpoint; batch 3 left nothing behind.
    assert _import_record(database, tenant.id) == [("failed", 6, 6, 0, 10)]
    assert superuser_count(database, "contacts", tenant.id) == 6
    with pytest.raises(ImportRefused):
        cli_import(database, tenant, path, key="email", resume=True)  # other options
    outcome = cli_import(database, tenant, path, batch_size=3)
    assert (outcome.resumed_from, outcome.created, outcome.updated) == (6, 10, 0)
    assert _import_record(database, tenant.id) == [("completed", 10, 10, 0, 10)]
    assert superuser_count(database, "contacts", tenant.id) == 10
    assert superuser_count(database, "contact_emails", tenant.id) == 10
    with pytest.raises(ImportRefused, match="no unfinished import"):
        cli_import(database, tenant, path, resume=True)


def test_atomic_leaves_nothing_when_it_fails(database, tenant, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(csv_text(HEADER, *_people(10)))
    with pytest.raises(RuntimeError, match="power cut"):
        cli_import(database, tenant, path, batch_size=3, atomic=True, hooks=CrashOnBatch(3))
    assert superuser_count(database, "contacts", tenant.id) == 0
    assert _import_record(database, tenant.id) == []
    outcome = cli_import(database, tenant, path, batch_size=3, atomic=True)
    assert outcome.created == 10


def test_a_killed_import_resumes_from_its_checkpoint(database, tenant, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(csv_text(HEADER, *_people(3000)))
    env = {**os.environ, "RAPPORT_DATABASE_URL": libpq_url(database.owner_url),
           "RAPPORT_APP_DATABASE_URL": libpq_url(database.app_url),
           "PGAPPNAME": KILLED_IMPORT}
    process = subprocess.Popen(
        [sys.executable, "-m", "rapport.cli", "import", "contacts", str(path), "--tenant",
         tenant.slug, "--batch-size", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            record = _import_record(database, tenant.id)
            if record and record[0][1] >= 5:
                break
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    # A COMMIT the import sent just before it died may still be finishing on the server:
    # read the checkpoint only once its connections are gone.
    _wait_for_backends_to_end(database, KILLED_IMPORT)
    [(status, processed, created, _, _)] = _import_record(database, tenant.id)
    assert status == "running" and 5 <= processed < 3000 and created == processed
    assert superuser_count(database, "contacts", tenant.id) == processed
    outcome = cli_import(database, tenant, path, batch_size=1000)
    assert outcome.resumed_from == processed and outcome.created == 3000
    assert superuser_count(database, "contacts", tenant.id) == 3000
    assert _import_record(database, tenant.id)[0][:3] == ("completed", 3000, 3000)
