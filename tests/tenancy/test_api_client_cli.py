"""``rapport api-clients list/create/revoke --tenant SLUG`` against the test database; the
secret it prints gets a token over HTTP from the test app (same secret key)."""

from __future__ import annotations

import traceback

import pytest
from click.testing import CliRunner

from rapport.db.urls import libpq_url
from rapport.tenancy.api_client_cli import api_clients_group
from tests.conftest import TEST_SECRET, sign_up
from tests.test_cli import Ran


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("RAPPORT_DATA_DIR", str(tmp_path / "data"))


def _cli(database, *args: str) -> Ran:
    r = CliRunner().invoke(api_clients_group, list(args), env={
        "RAPPORT_DATABASE_URL": libpq_url(database.owner_url),
        "RAPPORT_APP_DATABASE_URL": libpq_url(database.app_url),
        "RAPPORT_SECRET_KEY": TEST_SECRET,
    })
    stderr = r.stderr
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        stderr += "".join(traceback.format_exception(r.exception))
    return Ran(r.exit_code, r.stdout, stderr)


def test_operator_creates_lists_and_revokes_a_client(client, database):
    t = sign_up(client)
    made = _cli(database, "create", "--tenant", t.slug, "--name", "Nightly export",
                "--scope", "contacts:read", "--scope", "deals:read")
    assert made.returncode == 0, made.stderr
    lines = dict(line.split(": ", 1) for line in made.stdout.splitlines())
    client_id, secret = lines["client_id"], lines["client_secret"]
    assert client_id.startswith(f"{t.id}.")
    token = client.post("/api/v1/oauth/token", data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})
    assert token.status_code == 200, token.text
    assert token.json()["scope"] == "contacts:read deals:read"

    listed = _cli(database, "list", "--tenant", t.slug)
    assert listed.returncode == 0, listed.stderr
    assert "Nightly export" in listed.stdout
    shown = client.get("/api/v1/api-clients", headers=t.headers).json()["items"]
    assert [c["client_id"] for c in shown] == [client_id]

    revoked = _cli(database, "revoke", "--tenant", t.slug, client_id)
    assert revoked.returncode == 0, revoked.stderr
    again = client.post("/api/v1/oauth/token", data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})
    assert again.status_code == 401


def test_unknown_scope_and_unknown_tenant_are_refused_by_name(client, database):
    t = sign_up(client)
    r = _cli(database, "create", "--tenant", t.slug, "--name", "x", "--scope", "nope:read")
    assert r.returncode != 0
    assert "unknown scope 'nope:read'" in r.stderr
    r = _cli(database, "list", "--tenant", "no-such-tenant-here")
    assert r.returncode != 0 and "no tenant" in r.stderr
