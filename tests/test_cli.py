"""The ``rapport`` command against a real PostgreSQL (the test server, as an external URL).

The commands run in this process through click's CliRunner (a Python start-up per command
cost seconds each and tested nothing more); the last test runs the real entry point,
``python -m rapport.cli``, in a subprocess: its outage handling lives in ``main()``."""

from __future__ import annotations

import os
import subprocess
import sys
import traceback
from dataclasses import dataclass

import pytest
from click.testing import CliRunner

from rapport.cli import cli
from rapport.db.urls import libpq_url
from tests.conftest import unique


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    """Each command gets a fresh data folder: the generated secret key goes there, not
    into the checkout's ./var."""
    monkeypatch.setenv("RAPPORT_DATA_DIR", str(tmp_path / "data"))


@dataclass
class Ran:
    """What a command did, as a subprocess would report it."""

    returncode: int
    stdout: str
    stderr: str


def _rapport(database, *args: str, input: str | None = None, **env: str) -> Ran:
    environment = {
        "RAPPORT_DATABASE_URL": libpq_url(database.owner_url),
        "RAPPORT_APP_DATABASE_URL": libpq_url(database.app_url),
        **env,
    }
    r = CliRunner().invoke(cli, list(args), input=input, env=environment)
    stderr = r.stderr
    # An exception the command let escape would have been a traceback on stderr.
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        stderr += "".join(traceback.format_exception(r.exception))
    return Ran(r.exit_code, r.stdout, stderr)


def test_db_current_and_upgrade(database):
    r = _rapport(database, "db", "upgrade")
    assert r.returncode == 0, r.stderr
    r = _rapport(database, "db", "current")
    assert r.returncode == 0, r.stderr
    assert "status: up to date" in r.stdout


def test_db_url_prints_the_application_role(database):
    r = _rapport(database, "db", "url")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().startswith("postgresql://rapport_app")


def test_tenants_create_and_list(database):
    slug = unique("cli")
    r = _rapport(
        database,
        "tenants",
        "create",
        "--slug",
        slug,
        "--name",
        "CLI Org",
        "--owner-email",
        f"o@{slug}.example.com",
        "--owner-name",
        "Ostap",
        "--owner-password",
        "a very good password",
    )
    assert r.returncode == 0, r.stderr
    assert f"created tenant {slug}" in r.stdout
    listed = _rapport(database, "tenants", "list", COLUMNS="200")
    assert slug in listed.stdout


def test_tenants_create_reports_bad_input_without_traceback(database):
    r = _rapport(
        database,
        "tenants",
        "create",
        "--slug",
        "Bad Slug",
        "--name",
        "X",
        "--owner-email",
        "x@example.com",
        "--owner-name",
        "X",
        "--owner-password",
        "a very good password",
    )
    assert r.returncode != 0
    assert "organization.slug" in r.stderr and "Traceback" not in r.stderr


def test_production_refuses_default_secret(database):
    r = _rapport(database, "db", "current", RAPPORT_ENV="production")
    assert r.returncode != 0
    assert "RAPPORT_SECRET_KEY" in r.stderr


def test_unreachable_database_is_a_clear_error(tmp_path):
    env = {**os.environ, "RAPPORT_DATABASE_URL": f"postgresql://nobody@/none?host={tmp_path}"}
    r = subprocess.run(
        [sys.executable, "-m", "rapport.cli", "db", "current"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode != 0
    assert "Traceback" not in r.stderr
