"""``rapport billing status`` and ``rapport billing sync``."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from rapport.core.billing.cli import billing_group
from rapport.db.urls import libpq_url
from tests.billing.conftest import subscribe


@pytest.fixture
def cli_env(database, monkeypatch):
    monkeypatch.setenv("RAPPORT_DATABASE_URL", libpq_url(database.owner_url))
    monkeypatch.setenv("RAPPORT_APP_DATABASE_URL", libpq_url(database.app_url))


def test_status_in_self_hosted_mode(client, tenant, cli_env, monkeypatch):
    monkeypatch.delenv("RAPPORT_STRIPE_SECRET_KEY", raising=False)
    r = CliRunner().invoke(billing_group, ["status", "--tenant", tenant.slug])
    assert r.exit_code == 0, r.output
    assert "billing: off (self-hosted" in r.output
    assert "plan: self_hosted" in r.output
    assert "members: 1 of unlimited" in r.output
    assert "module medical: included" in r.output


def test_status_of_a_subscribed_tenant(client, tenant, cli_env, stripe_fake, post_event):
    subscribe(client, stripe_fake, tenant, post_event, plan="team", modules=("retail",))
    r = CliRunner().invoke(billing_group, ["status", "--tenant", tenant.slug, "--refresh"])
    assert r.exit_code == 0, r.output
    assert "plan: team" in r.output and "status: trialing" in r.output
    assert "members: 1 of 25" in r.output
    assert "module retail: purchased" in r.output
    assert "module medical: not entitled" in r.output
    assert "next invoice: 32.00 EUR" in r.output
    r = CliRunner().invoke(billing_group, ["status", "--tenant", "no-such-tenant"])
    assert r.exit_code != 0 and "no tenant" in r.output


def test_sync_creates_missing_products_and_prices_once(cli_env, stripe_fake):
    before = len(stripe_fake.prices)
    first = CliRunner().invoke(billing_group, ["sync"])
    assert first.exit_code == 0, first.output
    lines = dict(line.split("=", 1) for line in first.stdout.split()
                 if line.startswith("RAPPORT_"))
    assert set(lines) >= {"RAPPORT_STRIPE_PRICE_TEAM", "RAPPORT_STRIPE_PRICE_BUSINESS",
                          "RAPPORT_STRIPE_PRICE_PRICE_MEDICAL"}
    created = len(stripe_fake.prices) - before
    assert created == len(lines)
    lookup = stripe_fake.prices[lines["RAPPORT_STRIPE_PRICE_TEAM"]]["lookup_key"]
    assert lookup == "rapport_team"
    again = CliRunner().invoke(billing_group, ["sync"])
    assert again.exit_code == 0
    assert [x for x in again.stdout.split() if x.startswith("RAPPORT_")] == \
        [x for x in first.stdout.split() if x.startswith("RAPPORT_")]
    assert len(stripe_fake.prices) == before + created


def test_sync_refuses_without_a_key(cli_env, monkeypatch):
    monkeypatch.delenv("RAPPORT_STRIPE_SECRET_KEY", raising=False)
    r = CliRunner().invoke(billing_group, ["sync"])
    assert r.exit_code != 0 and "billing is off" in r.output


def test_the_cli_import_is_refused_past_the_contacts_limit(
        client, tenant, cli_env, stripe_fake, tmp_path):
    from rapport.core.imports.cli import import_group
    from tests.billing.conftest import billing

    def used() -> int:
        return next(lim["used"] for lim in billing(client, tenant)["limits"]
                    if lim["name"] == "contacts")

    rows = "".join(f"ext-{n},Name{n},Family\n" for n in range(1001))
    path = tmp_path / "many.csv"
    path.write_text("external_id,given_name,family_name\n" + rows)
    # The Free plan allows 1000 contacts: refused like the API's 402, nothing written.
    r = CliRunner().invoke(import_group, ["contacts", str(path), "--tenant", tenant.slug])
    assert r.exit_code != 0, r.output
    assert "allows 1000 contacts" in r.output and "Upgrade to" in r.output
    assert used() == 0
    assert client.get("/api/v1/imports", headers=tenant.headers).json()["items"] == []
    # A dry run writes nothing, so the limit never refuses it.
    r = CliRunner().invoke(import_group,
                           ["contacts", str(path), "--tenant", tenant.slug, "--dry-run"])
    assert r.exit_code == 0, r.output
    assert "1001 contacts would be created" in r.output
    assert used() == 0
