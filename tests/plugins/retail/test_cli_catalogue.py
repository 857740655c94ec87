"""``rapport retail tiers list/add/edit/delete`` and ``rapport retail rewards
list/add/edit/delete`` against the real database: the API sees what the commands did, and
bad input is a one-line error naming the option, with nothing written."""

from __future__ import annotations

from click.testing import CliRunner

from rapport_plugins.retail.cli import retail_group
from tests.plugins.retail.support import R, buy, customer, shop
from tests.plugins.retail.test_cli import cli_env  # noqa: F401  (the fixture)


def _cli(*args: str):
    return CliRunner().invoke(retail_group, list(args))


def test_tiers_from_the_terminal(client, cli_env):  # noqa: F811
    s = shop(client)
    where = ["--tenant", s.tenant.slug, "--program", s.program_id]
    assert _cli("tiers", "list", *where).stdout.strip() == "no tiers"
    added = _cli("tiers", "add", *where, "--name", "Gold", "--threshold", "500",
                 "--multiplier", "1.5", "--perk", "Free coffee", "--perk", "Parking")
    assert added.exit_code == 0, added.output
    _cli("tiers", "add", *where, "--name", "Silver", "--threshold", "0")
    tiers = client.get(f"{R}/programs/{s.program_id}/tiers", headers=s.headers).json()
    assert [(t["name"], t["threshold"], t["multiplier"], t["perks"]) for t in tiers] == [
        ("Silver", 0, "1", []), ("Gold", 500, "1.5", ["Free coffee", "Parking"])]
    gold = next(t["id"] for t in tiers if t["name"] == "Gold")
    listed = _cli("tiers", "list", *where).stdout.splitlines()
    assert [line.split("\t")[1:3] for line in listed] == [["Silver", "0"], ["Gold", "500"]]

    edited = _cli("tiers", "edit", *where, "--tier", gold, "--threshold", "400", "--no-perks")
    assert edited.exit_code == 0, edited.output
    tier = client.get(f"{R}/programs/{s.program_id}/tiers", headers=s.headers).json()[1]
    assert (tier["name"], tier["threshold"], tier["multiplier"], tier["perks"]) == (
        "Gold", 400, "1.5", [])

    # Refusals: named, one line, exit 1, nothing written.
    bad = _cli("tiers", "add", *where, "--name", "Bronze", "--threshold", "-5")
    assert bad.exit_code == 1 and "--threshold" in bad.output and "Traceback" not in bad.output
    clash = _cli("tiers", "edit", *where, "--tier", gold, "--name", "Silver")
    assert clash.exit_code == 1 and "name" in clash.output
    assert _cli("tiers", "edit", *where, "--tier", gold).exit_code == 2  # nothing to change
    unknown = _cli("tiers", "delete", *where, "--tier", s.program_id)
    assert unknown.exit_code == 1 and "not found" in unknown.output
    nobody = _cli("tiers", "list", "--tenant", "no-such-shop", "--program", s.program_id)
    assert nobody.exit_code == 1
    tiers = client.get(f"{R}/programs/{s.program_id}/tiers", headers=s.headers).json()
    assert [(t["name"], t["threshold"]) for t in tiers] == [("Silver", 0), ("Gold", 400)]

    # A tier members hold is not removed; one nobody holds is.
    buy(client, s, customer(client, s)["cards"][0]["number"], "c-1", "50")
    silver = tiers[0]["id"]
    held = _cli("tiers", "delete", *where, "--tier", silver)
    assert held.exit_code == 1 and "hold" in held.output
    assert _cli("tiers", "delete", *where, "--tier", gold).exit_code == 0
    tiers = client.get(f"{R}/programs/{s.program_id}/tiers", headers=s.headers).json()
    assert [t["name"] for t in tiers] == ["Silver"]


def test_rewards_from_the_terminal(client, cli_env):  # noqa: F811
    s = shop(client)
    where = ["--tenant", s.tenant.slug, "--program", s.program_id]
    added = _cli("rewards", "add", *where, "--name", "Mug", "--points-cost", "300",
                 "--stock", "5")
    assert added.exit_code == 0, added.output
    assert "Mug\t300 points\t5 left\tvalid 30 days" in added.output
    mug = client.get(f"{R}/programs/{s.program_id}/rewards", headers=s.headers).json()[0]
    assert (mug["name"], mug["points_cost"], mug["stock"], mug["valid_days"]) == (
        "Mug", 300, 5, 30)
    edited = _cli("rewards", "edit", *where, "--reward", mug["id"], "--unlimited",
                  "--valid-days", "60")
    assert edited.exit_code == 0, edited.output
    bad = _cli("rewards", "edit", *where, "--reward", mug["id"], "--points-cost", "0")
    assert bad.exit_code == 1 and "--points-cost" in bad.output
    both = _cli("rewards", "edit", *where, "--reward", mug["id"], "--stock", "1",
                "--unlimited")
    assert both.exit_code == 2
    mug = client.get(f"{R}/programs/{s.program_id}/rewards", headers=s.headers).json()[0]
    assert (mug["points_cost"], mug["stock"], mug["valid_days"]) == (300, None, 60)
    retired = _cli("rewards", "delete", *where, "--reward", mug["id"])
    assert retired.exit_code == 0 and "retired" in retired.output
    listed = _cli("rewards", "list", *where)
    assert listed.stdout.strip().endswith("\tretired")
    other = shop(client)  # another tenant's program is not found from this one
    stranger = _cli("rewards", "list", "--tenant", s.tenant.slug, "--program",
                    other.program_id)
    assert stranger.exit_code == 1 and "not found" in stranger.output
