"""Promise alerts and the command line: ``rapport dealership remind`` notifies the promising
salesperson and the sales managers before a promise is due and when it passes, each once,
and breaks a delivery promise whose order is late; ``promises-due`` lists them;
``check-vin`` checks a VIN."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from rapport.db.urls import libpq_url
from rapport_plugins.dealership.cli import dealership_group
from tests.plugins.dealership.support import (
    BAD_CHECK_VIN,
    GOOD_VIN,
    customer,
    dealer,
    order,
    promise,
    vehicle,
)


@pytest.fixture
def cli_env(database, monkeypatch):
    monkeypatch.setenv("RAPPORT_DATABASE_URL", libpq_url(database.owner_url))
    monkeypatch.setenv("RAPPORT_APP_DATABASE_URL", libpq_url(database.app_url))


def _kinds(client, headers) -> list[str]:
    items = client.get("/api/v1/notifications", headers=headers).json()["items"]
    return sorted(n["kind"] for n in items if n["kind"].startswith("dealership."))


def _age(database, promise_id: str) -> None:
    """Let time pass: the promise was made 10 days ago and fell due an hour ago."""
    with database.connect_superuser() as conn:
        conn.execute("UPDATE dealership_promises SET made_at = now() - interval '10 days', "
                     "due_at = now() - interval '1 hour' WHERE id = %s", (promise_id,))


def _remind(slug: str) -> int:
    r = CliRunner().invoke(dealership_group, ["remind", "--tenant", slug])
    assert r.exit_code == 0, r.output
    found = re.search(r"^(\d+) promise alerts sent$", r.output, re.M)
    assert found, r.output
    return int(found.group(1))


def test_alerts_go_out_once_before_and_once_after_the_due_date(client, database, cli_env):
    d = dealer(client)
    c = customer(client, d)
    soon = promise(client, d, c, days=1, text="Call back with the finance offer")
    promise(client, d, c, days=20, text="Not yet")
    assert _remind(d.tenant.slug) == 1
    assert _remind(d.tenant.slug) == 0  # each alert once
    assert _kinds(client, d.as_("salesperson")) == ["dealership.promise_due_soon"]
    assert _kinds(client, d.as_("sales_manager")) == ["dealership.promise_due_soon"]
    assert _kinds(client, d.as_("rival")) == []
    _age(database, soon["id"])
    assert _remind(d.tenant.slug) == 1
    assert _remind(d.tenant.slug) == 0
    assert _kinds(client, d.as_("salesperson")) == ["dealership.promise_due_soon",
                                                     "dealership.promise_overdue"]
    got = client.get(f"/api/v1/dealership/promises/{soon['id']}", headers=d.as_("salesperson"))
    assert got.json()["overdue"] and got.json()["status"] == "open"
    overdue = client.get("/api/v1/dealership/promises", params={"overdue": "true"},
                         headers=d.as_("sales_manager")).json()["items"]
    assert [p["id"] for p in overdue] == [soon["id"]]
    listed = CliRunner().invoke(dealership_group, ["promises-due", "--tenant", d.tenant.slug,
                                                   "--days", "30"])
    assert listed.exit_code == 0, listed.output
    lines = [x for x in listed.output.splitlines() if not x.startswith(("{", "20"))]
    assert lines[0].startswith(soon["id"]) and "OVERDUE" in lines[0]
    assert "2 open promises due within 30 days" in lines[-1]


def test_a_branch_manager_is_alerted_of_their_branch_only(client, cli_env):
    d = dealer(client)
    for who, branch in (("sales_manager", "Kyiv"), ("salesperson", "Kyiv"), ("rival", "Lviv")):
        r = client.put(f"/api/v1/dealership/staff/{d.members[who]}", json={"branch": branch},
                       headers=d.as_("owner"))
        assert r.status_code == 200, r.text
    c = customer(client, d)
    promise(client, d, c, who="rival", days=1, text="Lviv's promise")
    assert _remind(d.tenant.slug) == 1
    assert _kinds(client, d.as_("rival")) == ["dealership.promise_due_soon"]
    assert _kinds(client, d.as_("sales_manager")) == []  # not their branch
    promise(client, d, c, days=1, text="Kyiv's promise")
    assert _remind(d.tenant.slug) == 1
    assert _kinds(client, d.as_("sales_manager")) == ["dealership.promise_due_soon"]


def test_a_passed_delivery_promise_of_an_undelivered_order_breaks(client, database, cli_env):
    d = dealer(client)
    v, c = vehicle(client, d), customer(client, d)
    oid = order(client, d, v, c)["id"]
    p = promise(client, d, c, kind="delivery_date", text="Before the holidays", order_id=oid)
    _age(database, p["id"])
    _remind(d.tenant.slug)
    got = client.get(f"/api/v1/dealership/promises/{p['id']}", headers=d.as_("salesperson"))
    assert got.json()["status"] == "broken"
    assert got.json()["evidence"] == "not delivered by the promised date"


def test_check_vin_command():
    ok = CliRunner().invoke(dealership_group, ["check-vin", GOOD_VIN])
    assert ok.exit_code == 0 and "valid" in ok.output
    bad = CliRunner().invoke(dealership_group, ["check-vin", BAD_CHECK_VIN])
    assert bad.exit_code == 1 and "check digit" in bad.output
    europe = CliRunner().invoke(dealership_group, ["check-vin", BAD_CHECK_VIN,
                                                   "--market", "europe"])
    assert europe.exit_code == 0
    assert CliRunner().invoke(dealership_group, ["check-vin", "WVWZZZ1JZ3W38649O"]).exit_code == 1


def test_the_worker_pass_sends_the_alerts_too(client):
    from rapport.hooks import PeriodicWork
    from rapport.worker import periodic_work

    d = dealer(client)
    promise(client, d, customer(client, d), days=1, text="Bring the spare key")
    state = client.app.state
    work = PeriodicWork(state.sessionmaker, state.registry, max_tenants=1_000_000)
    client.blocking_portal.call(periodic_work, work)
    assert _kinds(client, d.as_("salesperson")) == ["dealership.promise_due_soon"]
    client.blocking_portal.call(periodic_work, work)
    assert _kinds(client, d.as_("sales_manager")) == ["dealership.promise_due_soon"]


def test_branches_and_the_daily_numbers_from_the_command_line(client, cli_env):
    d = dealer(client)
    members = client.get("/api/v1/members", headers=d.as_("owner")).json()["items"]
    address = next(m["email"] for m in members if m["id"] == d.members["sales_manager"])
    r = CliRunner().invoke(dealership_group, ["assign-branch", "--tenant", d.tenant.slug,
                                              "--member", address, "--branch", "Kharkiv"])
    assert r.exit_code == 0 and "Kharkiv" in r.output, r.output
    c = customer(client, d)
    visit = client.post("/api/v1/dealership/visits", headers=d.as_("sales_manager"),
                        json={"contact_id": c})
    assert visit.status_code == 201 and visit.json()["branch"] == "Kharkiv"
    out = CliRunner().invoke(dealership_group, ["daily", "--tenant", d.tenant.slug,
                                                "--as", address])
    assert out.exit_code == 0, out.output
    assert "branch\tKharkiv" in out.output and "traffic\t1" in out.output
    nobody = CliRunner().invoke(dealership_group, ["assign-branch", "--tenant", d.tenant.slug,
                                                   "--member", "nobody@example.com"])
    assert nobody.exit_code == 1 and "not a member" in nobody.output
