"""Uninstalling a plugin whose migrations ran: the server still upgrades and is ready, the
plugin's tables and rows stay, and reinstalling it finds its branch applied."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic import command
from sqlalchemy.engine import make_url

from rapport import migrations
from rapport.db.bootstrap import bootstrap
from rapport.db.urls import libpq_url, sqlalchemy_url
from rapport.hooks import load_registry
from rapport.web.health import readiness
from tests.conftest import Database


@pytest.fixture
def fresh_database(database: Database) -> Iterator[tuple[str, str]]:
    """A database of its own on the test server: (owner URL, superuser URL)."""
    name = "rapport_uninstall_" + secrets.token_hex(3)
    bootstrap(database.superuser_url, name, owner_password="rapport_owner",
              app_password="rapport_app")
    base = sqlalchemy_url(make_url(database.superuser_url)).set(database=name)
    owner = base.set(username="rapport_owner", password="rapport_owner")
    superuser = libpq_url(make_url(database.superuser_url).set(database=name))
    yield owner.render_as_string(hide_password=False), superuser
    with psycopg.connect(database.superuser_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _locations() -> tuple[list[Path], list[Path]]:
    """Every plugin's migration folder, and the same without the stamps plugin's."""
    everything = load_registry().migration_locations()
    without = [p for p in everything if "rapport_stamps" not in str(p)]
    assert len(without) == len(everything) - 1, everything
    return everything, without


def test_upgrade_and_readiness_survive_an_uninstalled_plugin(fresh_database) -> None:
    owner_url, superuser_url = fresh_database
    everything, without = _locations()
    migrations.upgrade(owner_url, everything)
    with psycopg.connect(superuser_url, autocommit=True) as conn:
        tenant = conn.execute(
            "INSERT INTO tenants (id, slug, name) VALUES (gen_random_uuid(), %s, 'Kept') "
            "RETURNING id", ("kept-" + secrets.token_hex(3),)
        ).fetchone()
        assert tenant is not None
        conn.execute("SELECT count(*) FROM stamps_cards").fetchone()

    # The vendor plugin is uninstalled: its script is gone, its head stays recorded.
    with pytest.raises(Exception, match="stamps_0001"):  # what Alembic alone does
        command.upgrade(migrations.alembic_config(owner_url, without), "heads")
    migrations.upgrade(owner_url, without)
    applied = migrations.current(owner_url)
    orphans = applied - migrations.known(without)
    assert orphans == {"stamps_0001"}
    body, status = readiness(applied, migrations.heads(without), migrations.known(without))
    assert status == 200 and body == {"status": "ready", "orphaned": ["stamps_0001"]}
    with psycopg.connect(superuser_url, autocommit=True) as conn:
        assert conn.execute("SELECT to_regclass('stamps_cards')").fetchone() == ("stamps_cards",)

    # Reinstalled: nothing to redo, and the code that knows the plugin is ready again.
    migrations.upgrade(owner_url, everything)
    applied = migrations.current(owner_url)
    assert "stamps_0001" in applied
    body, status = readiness(applied, migrations.heads(everything),
                             migrations.known(everything))
    assert (status, body) == (200, {"status": "ready"})


def test_readiness_still_waits_for_missing_heads() -> None:
    body, status = readiness({"0001"}, {"0001", "0002"}, {"0001", "0002"})
    assert status == 503 and body["status"] == "migrations pending"
    body, status = readiness({"0001", "gone_0001"}, {"0001", "0002"}, {"0001", "0002"})
    assert status == 503 and body["orphaned"] == ["gone_0001"]
