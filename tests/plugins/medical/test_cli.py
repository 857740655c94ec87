"""``rapport medical peers …``: the federation peers of the API, from the command line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from rapport.db.urls import libpq_url
from rapport_plugins.medical.cli import medical
from tests.plugins.medical.support import clinic


@pytest.fixture
def cli_env(database, monkeypatch):
    monkeypatch.setenv("RAPPORT_DATABASE_URL", libpq_url(database.owner_url))
    monkeypatch.setenv("RAPPORT_APP_DATABASE_URL", libpq_url(database.app_url))


def test_peers_are_listed_added_rotated_and_removed(client, cli_env):
    c = clinic(client, roles=("clinician",))
    run = CliRunner()

    r = run.invoke(medical, ["peers", "list", "--tenant", c.slug])
    assert r.exit_code == 0 and "no federation peers" in r.output, r.output
    r = run.invoke(medical, ["peers", "add", "Rehab Centre B", "--inbound", "--jwks-url",
                             "https://b.example.org/jwks.json", "--tenant", c.slug, "--json"])
    assert r.exit_code == 0, r.output
    inbound = json.loads(r.stdout)
    assert inbound["client_id"].startswith("urn:rapport:medical:")
    assert inbound["token_url"].endswith("/api/v1/medical/federation/token")
    r = run.invoke(medical, ["peers", "add", "Clinic C", "--outbound", "--client-id", "x",
                             "--tenant", c.slug])
    assert r.exit_code != 0 and "token_url" in r.output
    r = run.invoke(medical, ["peers", "add", "Clinic C", "--inbound", "--jwks-url",
                             "ftp://nope", "--tenant", c.slug])
    assert r.exit_code != 0 and "jwks_url" in r.output
    # Only owners and admins manage peers; the API sees what the CLI did.
    r = run.invoke(medical, ["peers", "rotate", inbound["id"], "--jwks-url",
                             "https://b.example.org/new.json", "--tenant", c.slug,
                             "--as", c.emails["clinician"]])
    assert r.exit_code != 0 and "owner" in r.output.lower()
    r = run.invoke(medical, ["peers", "rotate", inbound["id"], "--jwks-url",
                             "https://b.example.org/new.json", "--tenant", c.slug])
    assert r.exit_code == 0 and "https://b.example.org/new.json" in r.output, r.output
    api = client.get("/api/v1/medical/federation/peers", headers=c.as_("owner")).json()
    assert [p["jwks_url"] for p in api] == ["https://b.example.org/new.json"]

    r = run.invoke(medical, ["peers", "remove", inbound["id"], "--tenant", c.slug])
    assert r.exit_code == 0, r.output
    r = run.invoke(medical, ["peers", "list", "--tenant", c.slug, "--json"])
    listed = json.loads(r.stdout)
    assert [p["id"] for p in listed] == [inbound["id"]] and listed[0]["removed_at"]
    r = run.invoke(medical, ["peers", "remove", inbound["id"], "--tenant", c.slug])
    assert r.exit_code != 0 and "not found" in r.output
