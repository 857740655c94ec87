"""A rolling upgrade: the migration Job runs before the new pods, so the old pods (and an
old worker restarting) meet a database migrated past their head. They keep serving; a
database behind the code is still refused."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from litestar.testing import TestClient

from rapport import migrations, worker
from rapport.app import build_registry, create_app
from rapport.web.health import readiness
from tests.conftest import make_settings


@contextmanager
def _kernel_head_replaced(database, by: str):
    """alembic_version as a newer (or older) release would leave it; restored after."""
    head = next(h for h in migrations.heads() if h[0].isdigit())
    with database.connect_superuser() as conn:
        conn.execute("UPDATE alembic_version SET version_num = %s WHERE version_num = %s",
                     (by, head))
        try:
            yield head
        finally:
            conn.execute("UPDATE alembic_version SET version_num = %s WHERE version_num = %s",
                         (head, by))


@pytest.fixture(scope="module")
def app(database):
    return create_app(make_settings(), database.app_url)


def test_old_pods_stay_ready_on_a_database_migrated_past_them(database, app):
    registry = build_registry(make_settings())
    with _kernel_head_replaced(database, "9999_a_newer_release") as head, TestClient(app) as c:
        r = c.get("/readyz")
        assert r.status_code == 200, r.text
        assert r.json() == {"status": "ready", "superseded": [head],
                            "orphaned": ["9999_a_newer_release"]}
        worker.check_migrations(database.app_url, registry)  # no refusal


def test_a_database_behind_the_code_is_still_refused(database, app):
    registry = build_registry(make_settings())
    head = next(h for h in migrations.heads() if h[0].isdigit())
    parent = sorted(migrations.lineage()[head])[-1]
    with _kernel_head_replaced(database, parent), TestClient(app) as c:
        r = c.get("/readyz")
        assert r.status_code == 503 and r.json()["status"] == "migrations pending"
        with pytest.raises(worker.MigrationsPending, match=f"not applied: .*{head}"):
            worker.check_migrations(database.app_url, registry)


def test_readiness_rule():
    lineage = {"0002": frozenset({"0001"}), "p_0001": frozenset({"0001"})}
    known, expected = {"0001", "0002", "p_0001"}, {"0002", "p_0001"}
    assert readiness({"0003", "p_0001"}, expected, known, lineage)[1] == 200
    assert readiness({"0001", "p_0001"}, expected, known, lineage)[1] == 503
    # an orphaned plugin's head does not hide a kernel branch that is behind
    assert readiness({"0001", "gone_0001", "p_0001"}, expected, known, lineage)[1] == 503
