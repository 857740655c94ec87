"""Teams over real HTTP and PostgreSQL: CRUD and members (owners and admins change, everyone
reads), refusals that name the field, the members' report per team (JSON and CSV), contacts
by their owner's team in the list's filter grammar and as a segment condition, the CLI."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from rapport.core.teams.cli import teams_group
from rapport.db.urls import libpq_url
from tests.conftest import TenantHandle, sign_up
from tests.core.deals.support import contact, member, member_id
from tests.core.reports.test_members_report import _deal, _log

TEAMS = "/api/v1/teams"
REPORT = "/api/v1/reports/members"
TODAY = datetime.now(UTC).date()
PERIOD = {"from": (TODAY - timedelta(days=6)).isoformat(), "to": TODAY.isoformat()}


@pytest.fixture(scope="module")
def org(client) -> dict:
    """An owner, two sellers (Sales), a support agent (Support; also in Sales), a viewer."""
    t = sign_up(client)
    people = {"owner": (member_id(client, t), t.headers)}
    for name in ("seller1", "seller2", "agent"):
        people[name] = member(client, t)
    people["viewer"] = member(client, t, "viewer")
    users = {m["id"]: m["user_id"] for m in
             client.get("/api/v1/members", headers=t.headers).json()["items"]}
    return {"t": t, "people": people, "users": users}


def _ids(org, *names) -> list[str]:
    return [org["people"][n][0] for n in names]


def _team(client, org, name, lead=None, members=()) -> dict:
    body = {"name": name, "member_ids": _ids(org, *members)}
    if lead:
        body["lead_id"] = org["people"][lead][0]
    r = client.post(TEAMS, json=body, headers=org["t"].headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_a_team_is_made_read_changed_and_deleted(client, org) -> None:
    h = org["t"].headers
    team = _team(client, org, "Night shift", lead="seller1", members=("seller2",))
    # The lead is always one of the members.
    assert {m["member_id"] for m in team["members"]} == set(_ids(org, "seller1", "seller2"))
    assert team["lead_id"] == org["people"]["seller1"][0]
    got = client.get(f"{TEAMS}/{team['id']}", headers=org["people"]["viewer"][1])
    assert got.status_code == 200 and got.json()["name"] == "Night shift"
    r = client.patch(f"{TEAMS}/{team['id']}", headers=h,
                     json={"name": "Late shift", "lead_id": None,
                           "member_ids": _ids(org, "agent")})
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["lead_id"]) == ("Late shift", None)
    assert [m["member_id"] for m in r.json()["members"]] == _ids(org, "agent")
    r = client.post(f"{TEAMS}/{team['id']}/members", headers=h,
                    json={"member_id": org["people"]["seller2"][0]})
    assert r.status_code == 200 and len(r.json()["members"]) == 2
    again = client.post(f"{TEAMS}/{team['id']}/members", headers=h,
                        json={"member_id": org["people"]["seller2"][0]})
    assert len(again.json()["members"]) == 2  # once
    r = client.delete(f"{TEAMS}/{team['id']}/members/{org['people']['seller2'][0]}", headers=h)
    assert r.status_code == 204
    r = client.delete(f"{TEAMS}/{team['id']}/members/{org['people']['seller2'][0]}", headers=h)
    assert r.status_code == 404
    listed = client.get(TEAMS, headers=h).json()["items"]
    assert team["id"] in {x["id"] for x in listed}
    audit = client.get("/api/v1/audit", headers=h,
                       params={"record_type": "team", "record_id": team["id"]})
    assert audit.status_code == 200, audit.text
    assert {e["action"] for e in audit.json()["items"]} == {"create", "update"}
    assert client.delete(f"{TEAMS}/{team['id']}", headers=h).status_code == 204
    assert client.get(f"{TEAMS}/{team['id']}", headers=h).status_code == 404


def test_refusals_name_what_is_wrong(client, org) -> None:
    h = org["t"].headers
    _team(client, org, "Refusals")
    r = client.post(TEAMS, json={"name": "refusals"}, headers=h)
    assert r.status_code == 409 and "exists" in r.json()["detail"]
    second = _team(client, org, "Second", members=("agent",))
    r = client.patch(f"{TEAMS}/{second['id']}", json={"name": "REFUSALS", "member_ids": []},
                     headers=h)
    assert r.status_code == 409 and "exists" in r.json()["detail"]
    kept = client.get(f"{TEAMS}/{second['id']}", headers=h).json()  # nothing half-written
    assert kept["name"] == "Second" and len(kept["members"]) == 1
    stranger = str(uuid.uuid4())
    r = client.post(TEAMS, json={"name": "X1", "member_ids": [org["people"]["agent"][0],
                                                               stranger]}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "member_ids[1]"
    r = client.post(TEAMS, json={"name": "X2", "lead_id": stranger}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "lead_id"
    other = sign_up(client)  # a member of another organization is no member here
    r = client.post(TEAMS, json={"name": "X3", "member_ids": [member_id(client, other)]},
                    headers=h)
    assert r.status_code == 422
    assert client.post(TEAMS, json={"name": "  "}, headers=h).status_code in (400, 422)
    assert client.post(TEAMS, json={"name": "X4", "boss": 1}, headers=h).status_code in (
        400, 422)
    assert client.get(f"{TEAMS}/{stranger}", headers=h).status_code == 404
    for who in ("seller1", "viewer"):
        r = client.post(TEAMS, json={"name": f"Mine {who}"}, headers=org["people"][who][1])
        assert r.status_code == 403
    assert not any(t["name"].startswith(("X", "Mine")) for t in
                   client.get(TEAMS, headers=h, params={"limit": 200}).json()["items"])


def test_the_members_report_per_team(client, org) -> None:
    h = org["t"].headers
    sales = _team(client, org, "Sales", lead="seller1", members=("seller2", "agent"))
    support = _team(client, org, "Support", members=("agent",))
    anna = contact(client, org["t"], "Anna")
    for who, n in (("seller1", 3), ("seller2", 1), ("agent", 2)):
        for _ in range(n):
            _log(client, org["people"][who][1], anna, "call", "phone", 1)
    _deal(client, org["people"]["seller1"][1], org["people"]["seller1"][0], "100", "EUR",
          then="win")
    _deal(client, org["people"]["agent"][1], org["people"]["agent"][0], "50", "EUR",
          then="win")
    r = client.get(REPORT, params={**PERIOD, "group": "team"}, headers=h)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["group"] == "team" and len(report["members"]) == 5
    teams = {t["team_name"]: t for t in report["teams"]}
    s, u = teams["Sales"], teams["Support"]
    assert (s["team_id"], s["lead_id"]) == (sales["id"], org["people"]["seller1"][0])
    assert (s["interactions"], s["by_kind"], s["deals_won"]) == (6, {"call": 6}, 2)
    assert s["revenue_won"] == [{"currency": "EUR", "amount": "150.00"}]
    assert s["conversion"]["deals_to_won"] == 1.0
    # The agent is in both teams and counts in each.
    assert (u["team_id"], u["interactions"], u["deals_won"]) == (support["id"], 2, 1)
    alone = teams[None]
    assert set(alone["member_ids"]) == set(_ids(org, "owner", "viewer"))
    plain = client.get(REPORT, params=PERIOD, headers=h).json()
    assert plain["group"] == "member" and plain["teams"] is None
    r = client.get(f"{REPORT}/export", params={**PERIOD, "group": "team"}, headers=h)
    assert r.status_code == 200 and "teams-" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    by_name = {row["team_name"]: row for row in rows}
    assert (by_name["Sales"]["members"], by_name["Sales"]["interactions"],
            by_name["Sales"]["revenue_won"], by_name["Sales"]["kind:call"]) == (
        "3", "6", "EUR 150.00", "6")
    assert by_name[""]["team_id"] == ""
    # A member who is not a manager sees only their own figures under their teams.
    own = client.get(REPORT, params={**PERIOD, "group": "team"},
                     headers=org["people"]["agent"][1]).json()
    assert own["scope"] == "own"
    assert {t["team_name"]: t["interactions"] for t in own["teams"]}["Sales"] == 2
    r = client.get(REPORT, params={**PERIOD, "group": "branch"}, headers=h)
    assert r.status_code == 422 and "group" in r.text


def test_contacts_by_their_owners_team(client, org) -> None:
    h = org["t"].headers
    team = _team(client, org, "Owners", members=("seller2",))
    users = org["users"]
    mine = client.post("/api/v1/contacts", headers=h, json={
        "given_name": "Owned", "owner_id": users[org["people"]["seller2"][0]]})
    assert mine.status_code == 201, mine.text
    client.post("/api/v1/contacts", headers=h, json={
        "given_name": "Elsewhere", "owner_id": users[org["people"]["seller1"][0]]})
    r = client.get("/api/v1/contacts", headers=h,
                   params={"filter": f"teams.owner_team:eq:{team['id']}"})
    assert r.status_code == 200, r.text
    assert [c["given_name"] for c in r.json()["items"]] == ["Owned"]
    r = client.get("/api/v1/contacts", headers=h,
                   params={"filter": "teams.owner_team:eq:not-an-id"})
    assert r.status_code == 400 and "teams.owner_team:eq: must be an id" in r.json()["detail"]
    count = client.post("/api/v1/segments/count", headers=h, json={
        "definition": {"teams.owner_team": {"team": team["id"]}}})
    assert count.status_code == 200 and count.json()["count"] == 1
    count = client.post("/api/v1/segments/count", headers=h, json={
        "definition": {"filter": f"teams.owner_team:eq:{team['id']}"}})
    assert count.json()["count"] == 1
    # Another tenant's team id matches nothing here.
    other = sign_up(client)
    theirs = client.post(TEAMS, json={"name": "Theirs"}, headers=other.headers).json()
    r = client.get("/api/v1/contacts", headers=h,
                   params={"filter": f"teams.owner_team:eq:{theirs['id']}"})
    assert r.json()["items"] == []


def test_the_cli_makes_and_lists_teams(client, org, database, monkeypatch) -> None:
    monkeypatch.setenv("RAPPORT_DATABASE_URL", libpq_url(database.owner_url))
    monkeypatch.setenv("RAPPORT_APP_DATABASE_URL", libpq_url(database.app_url))
    t: TenantHandle = org["t"]
    runner = CliRunner()
    made = runner.invoke(teams_group, ["create", "Field team", "--tenant", t.slug,
                                       "--lead", t.owner_email])
    assert made.exit_code == 0, made.output
    [line] = [x for x in made.output.splitlines() if "\tField team\t" in x]
    team_id = line.split("\t")[0]
    assert "\tlead: " in line and "\tlead: -\t" not in line  # the owner leads it
    listed = runner.invoke(teams_group, ["list", "--tenant", t.slug])
    assert listed.exit_code == 0 and team_id in listed.output
    refused = runner.invoke(teams_group, ["create", "field TEAM", "--tenant", t.slug])
    assert refused.exit_code != 0 and "exists" in refused.output
    gone = runner.invoke(teams_group, ["delete", team_id, "--tenant", t.slug])
    assert gone.exit_code == 0
    assert client.get(f"{TEAMS}/{team_id}", headers=t.headers).status_code == 404
