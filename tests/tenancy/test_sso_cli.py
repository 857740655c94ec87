"""``rapport sso show|test|off --tenant SLUG`` through click's CliRunner against the test
PostgreSQL, on an organization whose SSO points at a real OpenID Connect provider on
loopback (tests/tenancy/oidc_provider.py)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from rapport.cli import cli
from rapport.db.urls import libpq_url
from tests.conftest import TEST_SECRET
from tests.tenancy.sso_support import api_client, org_with_sso, provider, sso_server

__all__ = ["provider", "sso_server"]  # fixtures


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("RAPPORT_DATA_DIR", str(tmp_path / "data"))


def _rapport(database, base, *args: str, input: str | None = None, key: str = TEST_SECRET):
    env = {"RAPPORT_DATABASE_URL": libpq_url(database.owner_url),
           "RAPPORT_APP_DATABASE_URL": libpq_url(database.app_url),
           "RAPPORT_SECRET_KEY": key, "RAPPORT_BASE_URL": base}
    return CliRunner().invoke(cli, list(args), input=input, env=env)


def test_operator_shows_and_tests_a_tenants_sso(database, sso_server, provider):
    org = org_with_sso(sso_server, provider)
    r = _rapport(database, sso_server, "sso", "show", "--tenant", org.slug)
    assert r.exit_code == 0, r.output
    lines = dict(line.split(": ", 1) for line in r.output.splitlines())
    assert lines["issuer"] == provider.issuer and lines["client_id"] == org.client_id
    assert lines["client_secret"] == "set" and "s3cret" not in r.output
    assert lines["allowed_domains"] == org.domain and lines["require_sso"] == "no"
    assert lines["redirect_uri"] == f"{sso_server}/api/v1/auth/sso/{org.slug}/callback"
    assert lines["start_url"] == f"{sso_server}/api/v1/auth/sso/{org.slug}/start"
    # After the deployment's secret key changed, the operator sees the secret must be
    # entered again (sign-ins answer 502 until then).
    rotated = _rapport(database, sso_server, "sso", "show", "--tenant", org.slug,
                       key="another-secret-key-" + "y" * 40)
    assert "client_secret: set, unreadable with the current secret key" in rotated.output

    r = _rapport(database, sso_server, "sso", "test", "--tenant", org.slug)
    assert r.exit_code == 0, r.output
    assert f"token_endpoint: {provider.issuer}/token" in r.output
    assert "signing_keys: 1" in r.output
    provider.metadata_body = b"{not json"
    r = _rapport(database, sso_server, "sso", "test", "--tenant", org.slug)
    assert r.exit_code == 1 and "not JSON" in r.output and "Traceback" not in r.output


def test_operator_switches_sso_off_and_passwords_work_again(database, sso_server, provider):
    org = org_with_sso(sso_server, provider, require_sso=True)
    api, h = org.owner.api, org.owner.headers
    # Asked to confirm; "no" changes nothing.
    r = _rapport(database, sso_server, "sso", "off", "--tenant", org.slug, input="n\n")
    assert r.exit_code != 0
    assert api.get("/api/v1/auth/sso", headers=h).status_code == 200

    r = _rapport(database, sso_server, "sso", "off", "--tenant", org.slug, "--yes")
    assert r.exit_code == 0, r.output
    assert "single sign-on of" in r.output and "is off" in r.output
    assert api.get("/api/v1/auth/sso", headers=h).status_code == 404
    with api_client(sso_server) as anon:
        assert anon.get(f"/api/v1/auth/sso/{org.slug}/start").status_code == 404

    again = _rapport(database, sso_server, "sso", "off", "--tenant", org.slug, "--yes")
    assert again.exit_code == 1 and "has no single sign-on set up" in again.output
    shown = _rapport(database, sso_server, "sso", "show", "--tenant", org.slug)
    assert shown.exit_code == 1 and "has no single sign-on set up" in shown.output
    unknown = _rapport(database, sso_server, "sso", "show", "--tenant", "no-such-org")
    assert unknown.exit_code == 1 and "no tenant with the slug" in unknown.output
    assert "Traceback" not in unknown.output
