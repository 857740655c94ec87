"""``rapport retail tiers recompute`` and ``rapport retail expire`` against the real
database: a period's tiers settled down as well as up, batches committed with a resumable
checkpoint; expiry takes only what is left of a past-due batch."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from rapport.db.urls import libpq_url
from rapport_plugins.retail.cli import retail_group
from tests.plugins.retail.support import R, buy, customer, shop


@pytest.fixture
def cli_env(database, monkeypatch):
    monkeypatch.setenv("RAPPORT_DATABASE_URL", libpq_url(database.owner_url))
    monkeypatch.setenv("RAPPORT_APP_DATABASE_URL", libpq_url(database.app_url))


def test_recompute_moves_tiers_down_at_period_end(client, database, cli_env):
    s = shop(client)
    for name, threshold in (("Silver", 0), ("Gold", 300)):
        client.post(f"{R}/programs/{s.program_id}/tiers",
                    json={"name": name, "threshold": threshold}, headers=s.headers)
    gold = customer(client, s)
    silver = customer(client, s, given_name="Ivan")
    assert buy(client, s, gold["cards"][0]["number"], "g1", "400").json()["tier_after"] == "Gold"
    buy(client, s, silver["cards"][0]["number"], "s1", "50")
    # Points of two years ago decide nothing any more: the earning is moved back there.
    with database.connect_superuser() as conn:
        conn.execute("UPDATE retail_ledger SET created_at = date_trunc('year', now())"
                     " - interval '18 months' WHERE member_id = %s", (gold["id"],))
    result = CliRunner().invoke(tiers_cmd(), ["--tenant", s.tenant.slug, "--program",
                                              s.program_id, "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert "2 members settled; 1 changed tier" in result.output
    assert result.output.count("checkpoint: --after") == 2
    member = client.get(f"{R}/members/{gold['id']}", headers=s.headers).json()
    assert member["tier"] == "Silver" and member["qualifying_points"] == 0
    assert member["balance"] == 400  # the points stay; only the tier follows the period
    history = client.get(f"{R}/members/{gold['id']}/tier-history", headers=s.headers).json()
    assert next((h["from_tier"], h["to_tier"], h["reason"]) for h in history) == (
        "Gold", "Silver", "period")
    # Last year's points keep the tier through this year (the grace), and the till warns.
    kept = customer(client, s, given_name="Kept")
    buy(client, s, kept["cards"][0]["number"], "k1", "350")
    with database.connect_superuser() as conn:
        conn.execute("UPDATE retail_ledger SET created_at = date_trunc('year', now())"
                     " - interval '2 months' WHERE member_id = %s", (kept["id"],))
    result = CliRunner().invoke(tiers_cmd(), ["--tenant", s.tenant.slug, "--program",
                                              s.program_id])
    assert result.exit_code == 0, result.output
    view = client.get(f"{R}/till/cards/{kept['cards'][0]['number']}",
                      headers=s.cashier).json()
    assert view["tier"]["name"] == "Gold" and view["tier"]["qualifying_points"] == 0
    assert view["tier"]["points_to_keep"] == 300
    # Resuming after the last member does nothing more.
    again = CliRunner().invoke(tiers_cmd(), ["--tenant", s.tenant.slug, "--program",
                                             s.program_id, "--after", kept["id"]])
    assert again.exit_code == 0 and "0 members settled" in again.output


def test_expire_takes_only_past_due_batches(client, database, cli_env):
    s = shop(client)
    member = customer(client, s)
    card = member["cards"][0]["number"]
    buy(client, s, card, "old", "100")
    buy(client, s, card, "new", "30")
    buy(client, s, card, "spend", "1", redeem_points=40)  # consumes the older batch first
    with database.connect_superuser() as conn:
        conn.execute("UPDATE retail_ledger SET expires_at = now() - interval '1 day' "
                     "WHERE member_id = %s AND external_id IS NULL AND amount = 100",
                     (member["id"],))
    result = CliRunner().invoke(retail_group, ["expire", "--tenant", s.tenant.slug])
    assert result.exit_code == 0, result.output
    assert "1 point batches expired" in result.output
    ledger = client.get(f"{R}/members/{member['id']}/ledger", headers=s.headers).json()
    assert ledger["balance"] == 100 + 30 + 1 - 40 - 60
    assert ledger["items"][0]["kind"] == "expire" and ledger["items"][0]["points"] == -60


def test_unknown_tenant_is_one_clear_line(cli_env):
    result = CliRunner().invoke(retail_group, ["expire", "--tenant", "no-such-shop"])
    assert result.exit_code != 0 and "no tenant with slug" in result.output


def tiers_cmd():
    return retail_group.commands["tiers"].commands["recompute"]  # type: ignore[attr-defined]


def test_birthdays_once_a_year_with_bonus(client, cli_env):
    from datetime import date

    s = shop(client, birthday_bonus=77)
    today = date.today()
    born = today.replace(year=1980) if (today.month, today.day) != (2, 29) else today
    member = customer(client, s, birthday=born.isoformat())
    customer(client, s, given_name="NotToday", birthday="1980-01-01"
             if (today.month, today.day) != (1, 1) else "1980-06-01")
    first = CliRunner().invoke(retail_group, ["birthdays", "--tenant", s.tenant.slug])
    assert first.exit_code == 0, first.output
    assert "1 members celebrated" in first.output
    again = CliRunner().invoke(retail_group, ["birthdays", "--tenant", s.tenant.slug])
    assert "0 members celebrated" in again.output
    assert client.get(f"{R}/members/{member['id']}",
                      headers=s.headers).json()["balance"] == 77
