"""``rapport two-factor status|off EMAIL``: the operator's way back in for a person who lost
both the authenticator and the recovery codes (run through click's CliRunner against the
test PostgreSQL, as tests/test_cli.py does)."""

from __future__ import annotations

import pyotp
import pytest
from click.testing import CliRunner

from rapport.cli import cli
from rapport.db.urls import libpq_url


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("RAPPORT_DATA_DIR", str(tmp_path / "data"))


def _rapport(database, *args: str, input: str | None = None):
    env = {"RAPPORT_DATABASE_URL": libpq_url(database.owner_url),
           "RAPPORT_APP_DATABASE_URL": libpq_url(database.app_url)}
    return CliRunner().invoke(cli, list(args), input=input, env=env)


def test_operator_turns_off_a_lost_authenticator(client, database, tenant):
    h = tenant.headers
    secret = client.post("/api/v1/me/2fa/totp", headers=h).json()["secret"]
    assert client.post("/api/v1/me/2fa/totp/confirm", headers=h,
                       json={"code": pyotp.TOTP(secret).now()}).status_code == 200
    r = _rapport(database, "two-factor", "status", tenant.owner_email)
    assert r.exit_code == 0, r.output
    assert "two-factor sign-in on; 10 recovery codes left" in r.output

    # Asked to confirm; "no" changes nothing.
    r = _rapport(database, "two-factor", "off", tenant.owner_email, input="n\n")
    assert r.exit_code != 0
    assert client.get("/api/v1/me/2fa", headers=h).json()["enabled"] is True

    r = _rapport(database, "two-factor", "off", tenant.owner_email, "--yes")
    assert r.exit_code == 0, r.output
    # Off, and every session ended: the password alone signs in again.
    assert client.get("/api/v1/me", headers=h).status_code == 401
    login = client.post("/api/v1/auth/login", json={
        "tenant": tenant.slug, "email": tenant.owner_email, "password": tenant.owner_password})
    client.cookies.clear()
    assert login.status_code == 200, login.text

    again = _rapport(database, "two-factor", "off", tenant.owner_email, "--yes")
    assert again.exit_code != 0 and "has no two-factor sign-in" in again.output
    unknown = _rapport(database, "two-factor", "status", "nobody@example.invalid")
    assert unknown.exit_code != 0 and "no account has the address" in unknown.output
    assert "Traceback" not in unknown.output
