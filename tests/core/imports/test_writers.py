"""Several connections write batches side by side (``--writers``): batches still commit in
file order with their checkpoint, audit entry and event; new contacts' ids follow the
file; a failing batch stops the import at the last committed batch, and the rerun
finishes it."""

from __future__ import annotations

import pytest

from rapport.core.imports.runner import ImportStopped
from tests.core.imports.support import cli_import, csv_text, superuser_count
from tests.core.imports.test_cli import HEADER, CrashOnBatch, _import_record, _people


def _audited_batches(database, tenant_id):
    with database.connect_superuser() as conn:
        return [row[0] for row in conn.execute(
            "SELECT (detail ->> 'batch')::int FROM audit_events WHERE tenant_id = %s "
            "AND action = 'import' ORDER BY seq", (tenant_id,)
        )]


def _ids_in_file_order(database, tenant_id):
    with database.connect_superuser() as conn:
        rows = conn.execute(
            "SELECT external_id FROM contacts WHERE tenant_id = %s ORDER BY id", (tenant_id,)
        ).fetchall()
    return [r[0] for r in rows]


@pytest.mark.parametrize("writers", [1, 3])
def test_batches_commit_in_file_order_whatever_the_writers(database, tenant, tmp_path,
                                                          writers):
    path = tmp_path / "people.csv"
    path.write_text(csv_text(HEADER, *_people(23)))
    outcome = cli_import(database, tenant, path, batch_size=3, writers=writers)
    assert (outcome.created, outcome.updated) == (23, 0)
    assert _import_record(database, tenant.id) == [("completed", 23, 23, 0, 23)]
    assert _audited_batches(database, tenant.id) == list(range(1, 9))
    assert _ids_in_file_order(database, tenant.id) == [f"p-{i}" for i in range(23)]
    assert superuser_count(database, "contact_search_terms", tenant.id) > 23


def test_updates_and_creates_mixed_across_writers(database, tenant, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(csv_text(HEADER, *_people(6, start=0)))
    cli_import(database, tenant, path, batch_size=2, writers=1)
    # Every other batch now updates (rows 0-5 exist), the rest create.
    rows = [[f"p-{i}", f"New{i}", f"p{i}@x.example"] for i in range(12)]
    path.write_text(csv_text(HEADER, *rows))
    outcome = cli_import(database, tenant, path, batch_size=2, writers=2)
    assert (outcome.created, outcome.updated) == (6, 6)
    with database.connect_superuser() as conn:
        names = dict(conn.execute(
            "SELECT external_id, given_name FROM contacts WHERE tenant_id = %s", (tenant.id,)
        ).fetchall())
    assert names == {f"p-{i}": f"New{i}" for i in range(12)}


def test_a_failing_batch_on_another_writer_keeps_the_committed_prefix(database, tenant,
                                                                      tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(csv_text(HEADER, *_people(20)))
    with pytest.raises(ImportStopped, match="power cut"):
        # Batch 2 is the second writer's first; batch 1 commits, nothing after it does.
        cli_import(database, tenant, path, batch_size=4, writers=2, hooks=CrashOnBatch(2))
    assert _import_record(database, tenant.id) == [("failed", 4, 4, 0, 20)]
    assert superuser_count(database, "contacts", tenant.id) == 4
    assert _audited_batches(database, tenant.id) == [1]
    outcome = cli_import(database, tenant, path, batch_size=4, writers=2)
    assert (outcome.resumed_from, outcome.created) == (4, 20)
    assert _ids_in_file_order(database, tenant.id) == [f"p-{i}" for i in range(20)]
    assert _audited_batches(database, tenant.id) == [1, 2, 3, 4, 5]
