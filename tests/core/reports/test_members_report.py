"""The members' report: activity against results per member, who may see it, bad periods,
the CSV export, and a constant number of statements whatever the number of members."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from rapport.core.reports.cli import reports_group
from rapport.db.urls import libpq_url
from tests.conftest import TenantHandle, sign_up
from tests.core.deals.support import contact, member
from tests.test_query_counts import counted

REPORT = "/api/v1/reports/members"
TODAY = datetime.now(UTC).date()
PERIOD = {"from": (TODAY - timedelta(days=6)).isoformat(), "to": TODAY.isoformat()}


def _at(days_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()


def _deal(client, headers, owner: str, amount: str | None = None, currency: str = "EUR",
          then: str | None = None) -> str:
    body = {"title": "Deal", "owner_id": owner}
    if amount:
        body |= {"amount": amount, "currency": currency}
    r = client.post("/api/v1/deals", json=body, headers=headers)
    assert r.status_code == 201, r.text
    if then:
        moved = client.post(f"/api/v1/deals/{r.json()['id']}/transitions/{then}", json={},
                            headers=headers)
        assert moved.status_code == 200, moved.text
    return r.json()["id"]


def _task(client, headers, assignee: str, due_days_ago: int, done: bool) -> None:
    r = client.post("/api/v1/tasks", json={"title": "Call back", "assignee_id": assignee,
                                           "due_at": _at(due_days_ago)}, headers=headers)
    assert r.status_code == 201, r.text
    if done:
        assert client.post(f"/api/v1/tasks/{r.json()['id']}/complete",
                           headers=headers).status_code == 200


def _log(client, headers, person: str, kind: str, channel: str | None, days_ago: int) -> None:
    body = {"contact_id": person, "kind": kind, "occurred_at": _at(days_ago)}
    if channel:
        body["channel"] = channel
    r = client.post("/api/v1/interactions", json=body, headers=headers)
    assert r.status_code == 201, r.text


@pytest.fixture(scope="module")
def tenant(client) -> TenantHandle:
    return sign_up(client)


@pytest.fixture(scope="module")
def team(client, tenant):
    """A busy seller who wins nothing, a quiet closer, and a member with no activity."""
    busy_id, busy = member(client, tenant)
    closer_id, closer = member(client, tenant)
    idle_id, idle = member(client, tenant)
    anna, boris = contact(client, tenant, "Anna"), contact(client, tenant, "Boris")
    for n in range(6):
        _log(client, busy, anna if n % 2 else boris, "call", "phone", 1 + n % 3)
    _log(client, busy, anna, "email", None, 2)
    _log(client, busy, anna, "call", "phone", 30)  # before the period
    _deal(client, busy, busy_id, then="lose")
    _deal(client, busy, busy_id)
    _log(client, closer, anna, "visit", "office", 1)
    _deal(client, closer, closer_id, "1200.50", "EUR", then="win")
    _deal(client, closer, closer_id, "300", "UAH", then="win")
    _task(client, busy, busy_id, 2, done=False)  # overdue
    _task(client, busy, busy_id, -3, done=False)  # due later: not overdue
    _task(client, closer, closer_id, 1, done=True)
    return {"busy": (busy_id, busy), "closer": (closer_id, closer), "idle": (idle_id, idle)}


def test_activity_results_conversion_and_the_lagging_flag(client, tenant, team):
    r = client.get(REPORT, params=PERIOD, headers=tenant.headers)
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["from"], report["to"], report["scope"]) == (PERIOD["from"], PERIOD["to"],
                                                             "all")
    rows = {m["member_id"]: m for m in report["members"]}
    busy, closer, idle = (rows[team[k][0]] for k in ("busy", "closer", "idle"))
    assert (busy["interactions"], busy["by_kind"], busy["by_channel"],
            busy["contacts_touched"]) == (7, {"call": 6, "email": 1}, {"": 1, "phone": 6}, 2)
    assert (busy["deals_opened"], busy["deals_won"], busy["deals_lost"],
            busy["revenue_won"]) == (2, 0, 1, [])
    assert (busy["tasks_done"], busy["tasks_overdue"]) == (0, 1)
    assert busy["conversion"] == {"interactions_to_deals": round(2 / 7, 4), "deals_to_won": 0.0,
                                  "win_rate": 0.0}
    assert (closer["deals_won"], closer["revenue_won"], closer["tasks_done"]) == (
        2, [{"currency": "EUR", "amount": "1200.50"}, {"currency": "UAH", "amount": "300.00"}], 1)
    assert closer["conversion"] == {"interactions_to_deals": 2.0, "deals_to_won": 1.0,
                                    "win_rate": 1.0}
    # Busy (7 ≥ the median of 4) and 0 won per interaction, below half the tenant's 2/8.
    assert busy["activity_without_results"] and not closer["activity_without_results"]
    assert (idle["interactions"], idle["conversion"]["interactions_to_deals"],
            idle["activity_without_results"]) == (0, None, False)
    assert report["members"][0]["member_id"] == team["busy"][0]
    assert (report["median_interactions"], report["tenant_won_per_interaction"]) == (4.0, 0.25)


def test_a_member_sees_only_their_own_row_and_bad_periods_are_named(client, tenant, team):
    own = client.get(REPORT, params=PERIOD, headers=team["closer"][1]).json()
    assert own["scope"] == "own"
    assert [m["member_id"] for m in own["members"]] == [team["closer"][0]]
    stranger = client.get(REPORT, params=PERIOD, headers=sign_up(client).headers).json()
    assert not {m["member_id"] for m in stranger["members"]} & {v[0] for v in team.values()}
    _, viewer = member(client, tenant, "viewer")
    assert len(client.get(REPORT, params=PERIOD, headers=viewer).json()["members"]) == 1
    backwards = {"from": PERIOD["to"], "to": PERIOD["from"]}
    r = client.get(REPORT, params=backwards, headers=tenant.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "from", r.text
    r = client.get(REPORT, params={"from": "2025-02-30"}, headers=tenant.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "from", r.text
    r = client.get(REPORT, params={"from": "2020-01-01", "to": "2025-01-01"},
                   headers=tenant.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "to"


def test_csv_export_has_the_same_rows(client, tenant, team):
    r = client.get(REPORT + "/export", params=PERIOD, headers=tenant.headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert f"members-{PERIOD['from']}-{PERIOD['to']}.csv" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    busy = next(row for row in rows if row["member_id"] == team["busy"][0])
    assert (busy["interactions"], busy["kind:call"], busy["channel:phone"], busy["deals_lost"],
            busy["activity_without_results"]) == ("7", "6", "6", "1", "yes")
    closer = next(row for row in rows if row["member_id"] == team["closer"][0])
    assert closer["revenue_won"] == "EUR 1200.50; UAH 300.00"


def test_statements_do_not_grow_with_members(client, tenant, team):
    with counted(client) as before:
        assert client.get(REPORT, params=PERIOD, headers=tenant.headers).status_code == 200
    member(client, tenant)
    with counted(client) as after:
        assert client.get(REPORT, params=PERIOD, headers=tenant.headers).status_code == 200
    assert len(after) == len(before) <= 7, str(after)


def test_cli_table_csv_and_a_named_refusal(tenant, team, database, monkeypatch):
    monkeypatch.setenv("RAPPORT_DATABASE_URL", libpq_url(database.owner_url))
    monkeypatch.setenv("RAPPORT_APP_DATABASE_URL", libpq_url(database.app_url))
    args = ["members", "--tenant", tenant.slug, "--from", PERIOD["from"], "--to", PERIOD["to"]]
    table = CliRunner().invoke(reports_group, args, catch_exceptions=False)
    assert table.exit_code == 0, table.output
    assert "busy, few results" in table.output and "EUR 1200.50; UAH 300.00" in table.output
    out = CliRunner().invoke(reports_group, [*args, "--csv"], catch_exceptions=False).output
    rows = list(csv.DictReader(io.StringIO(out[out.index("member_id,"):])))
    assert {r["member_id"] for r in rows} >= {v[0] for v in team.values()}
    bad = CliRunner().invoke(reports_group, ["members", "--tenant", tenant.slug, "--from",
                                             "tomorrow"])
    assert bad.exit_code == 1 and "from: 'tomorrow' is not a date" in bad.output
