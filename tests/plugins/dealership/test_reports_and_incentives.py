"""Management's numbers and the salespeople's incentives through HTTP: kept-rate per
salesperson, branch and kind; calibration and Brier scores; deposits on late orders;
quotas with the bonus above them; a contest's leaderboard with splits, reassignments and
unwinds shown, and an unwound deal's credit reversed."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.plugins.dealership.support import (
    customer,
    dealer,
    deliver,
    move,
    order,
    promise,
    vehicle,
)

R = "/api/v1/dealership/reports"
I = "/api/v1/dealership/incentives"  # noqa: E741


def _decide(client, d, p, outcome, who="sales_manager"):
    r = client.post(f"/api/v1/dealership/promises/{p['id']}/resolve", headers=d.as_(who),
                    json={"outcome": outcome, "evidence": "checked"})
    assert r.status_code == 200, r.text


def test_kept_rate_and_calibration_show_who_over_promises(client):
    d = dealer(client)
    c = customer(client, d)
    # The salesperson promises at 0.9 and keeps 1 of 4; the rival at 0.5 and keeps 1 of 2.
    mine = [promise(client, d, c, probability=0.9, branch="Kyiv") for _ in range(4)]
    theirs = [promise(client, d, c, who="rival", probability=0.5, branch="Lviv",
                      kind="we_owe", text="Mats") for _ in range(2)]
    for p, outcome in zip(mine, ("kept", "broken", "broken", "broken"), strict=True):
        _decide(client, d, p, outcome)
    _decide(client, d, theirs[0], "kept")
    _decide(client, d, theirs[1], "broken")
    today = datetime.now(UTC).date()
    span = {"from": today.isoformat(), "to": f"{today.year + 1}-12-31"}
    assert client.get(f"{R}/promises", params=span,
                      headers=d.as_("salesperson")).status_code == 403
    by_member = client.get(f"{R}/promises", params=span, headers=d.as_("sales_manager")).json()
    rows = {r["key"]: r for r in by_member["rows"]}
    me, rival = rows[d.members["salesperson"]], rows[d.members["rival"]]
    assert (me["made"], me["kept"], me["broken"], me["kept_rate"]) == (4, 1, 3, 0.25)
    assert rival["kept_rate"] == 0.5 and rival["mean_probability"] == 0.5
    # Brier: (0.9-1)^2 + 3*(0.9-0)^2 over 4 = 0.61; the rival 0.25.
    assert me["brier"] == 0.61 and rival["brier"] == 0.25
    by_branch = client.get(f"{R}/promises", params={**span, "group_by": "branch"},
                           headers=d.as_("sales_manager")).json()["rows"]
    assert {r["key"]: r["made"] for r in by_branch} == {"Kyiv": 4, "Lviv": 2}
    by_kind = client.get(f"{R}/promises", params={**span, "group_by": "kind"},
                         headers=d.as_("sales_manager")).json()["rows"]
    assert {r["key"]: r["kept"] for r in by_kind} == {"call_back": 1, "we_owe": 1}
    empty = client.get(f"{R}/promises", params={"from": "2020-01-01", "to": "2020-12-31"},
                       headers=d.as_("sales_manager")).json()
    assert empty["rows"] == [] and empty["from"] == "2020-01-01"
    bad = client.get(f"{R}/promises", params={"from": "2026-02-01", "to": "2026-01-01"},
                     headers=d.as_("sales_manager"))
    assert bad.status_code == 422 and "to" in bad.text
    mood = client.get(f"{R}/promises", params={**span, "group_by": "mood"},
                      headers=d.as_("sales_manager"))
    assert mood.status_code in (400, 422) and "group_by" in mood.text
    cal = client.get(f"{R}/calibration", params=span, headers=d.as_("sales_manager")).json()
    bands = {b["low"]: b for b in cal["buckets"]}
    assert (bands[0.9]["decided"], bands[0.9]["kept"], bands[0.9]["share_kept"]) == (4, 1, 0.25)
    assert bands[0.5]["share_kept"] == 0.5
    worst = cal["members"][0]
    assert worst["member_id"] == d.members["salesperson"] and worst["brier"] == 0.61


def test_deposits_held_on_orders_already_late(client):
    d = dealer(client)
    v, c = vehicle(client, d), customer(client, d)
    late = order(client, d, v, c, expected_delivery="2024-01-15")
    order(client, d, v, c, expected_delivery="2099-01-15")
    for o in (late,):
        client.post(f"/api/v1/dealership/orders/{o['id']}/deposits",
                    headers=d.as_("salesperson"),
                    json={"amount_minor": 300000, "currency": "EUR", "receipt": "R"})
    items = client.get(f"{R}/late-deposits", headers=d.as_("sales_manager")).json()["items"]
    assert [(i["order_id"], i["held_minor"]) for i in items] == [(late["id"], 300000)]
    assert items[0]["days_late"] > 300


_deliver = deliver


def test_quotas_contests_and_the_leaderboard_resist_gaming(client):
    d = dealer(client)
    v = vehicle(client, d)
    today = datetime.now(UTC).date()
    first, last = today.replace(day=1).isoformat(), f"{today.year}-12-31"
    r = client.post(f"{I}/quotas", headers=d.as_("salesperson"), json={
        "member_id": d.members["salesperson"], "period_start": first, "period_end": last,
        "units": 1, "currency": "EUR", "bonus_per_unit_minor": 20000})
    assert r.status_code == 403
    r = client.post(f"{I}/quotas", headers=d.as_("sales_manager"), json={
        "member_id": d.members["salesperson"], "period_start": last, "period_end": first,
        "units": 1, "currency": "EUR"})
    assert r.status_code == 422 and "period_end" in r.text
    r = client.post(f"{I}/quotas", headers=d.as_("sales_manager"), json={
        "member_id": d.members["salesperson"], "period_start": first, "period_end": last,
        "units": 1, "currency": "EUR", "bonus_per_unit_minor": 20000})
    assert r.status_code == 201 and r.json()["units_sold"] == 0
    contest = client.post(f"{I}/contests", headers=d.as_("sales_manager"), json={
        "name": "Spring push", "starts_on": first, "ends_on": last, "measure": "units",
        "prizes": ["Weekend in Carpathians"]}).json()
    # Three deliveries: one the salesperson's alone, one split 50/50, one that unwinds.
    solo = order(client, d, v, customer(client, d, "A"), who="salesperson")["id"]
    shared = order(client, d, v, customer(client, d, "B"), who="salesperson")["id"]
    unwinds = order(client, d, v, customer(client, d, "C"), who="rival")["id"]
    r = client.patch(f"/api/v1/dealership/orders/{shared}", headers=d.as_("sales_manager"),
                     json={"splits": [{"member_id": d.members["salesperson"], "percent": 50},
                                      {"member_id": d.members["rival"], "percent": 50}]})
    assert r.status_code == 200, r.text
    for oid in (solo, shared, unwinds):
        _deliver(client, d, oid)
    board = client.get(f"{I}/contests/{contest['id']}/leaderboard",
                       headers=d.as_("salesperson")).json()
    units = {s["member_id"]: s["units"] for s in board["standings"]}
    assert units == {d.members["salesperson"]: 1.5, d.members["rival"]: 1.5}
    assert move(client, d, unwinds, "unwind", who="sales_manager").status_code == 200
    board = client.get(f"{I}/contests/{contest['id']}/leaderboard",
                       headers=d.as_("salesperson")).json()
    assert [(s["rank"], s["member_id"], s["units"]) for s in board["standings"]] == [
        (1, d.members["salesperson"], 1.5), (2, d.members["rival"], 0.5)]
    assert board["standings"][0]["name"] == "Salesperson Person"
    assert sorted(ch["kind"] for ch in board["changes"]) == ["split", "stage"]
    quota = client.get(f"{I}/quotas", headers=d.as_("salesperson")).json()["items"][0]
    assert (quota["units_sold"], quota["above_quota"], quota["bonus_minor"]) == (1.5, 0.5, 10000)
    assert client.get(f"{I}/quotas", headers=d.as_("rival")).json()["items"] == []
    listed = client.get(f"{I}/contests", headers=d.as_("rival")).json()["items"]
    assert [c["name"] for c in listed] == ["Spring push"]


def test_the_sales_managers_daily_numbers(client):
    d = dealer(client)
    v = vehicle(client, d)
    sold = order(client, d, v, customer(client, d, "A"), who="sales_manager",
                 discount_minor=100000)
    order(client, d, v, customer(client, d, "B"), expected_delivery="2024-05-01")
    r = client.post(f"/api/v1/dealership/orders/{sold['id']}/trade-ins",
                    headers=d.as_("sales_manager"), json={
                        "vin": "WVWZZZ1JZ3W386752", "mileage_km": 1000, "condition": "good",
                        "actual_cash_value_minor": 500000, "allowance_minor": 530000,
                        "valid_until": "2031-01-01"})
    assert r.status_code == 201, r.text
    r = client.post(f"/api/v1/dealership/orders/{sold['id']}/products",
                    headers=d.as_("sales_manager"),
                    json={"kind": "warranty", "provider": "W", "price_minor": 90000,
                          "cost_minor": 40000})
    assert r.status_code == 201
    _deliver(client, d, sold["id"])
    assert client.get(f"{R}/daily", headers=d.as_("salesperson")).status_code == 403
    n = client.get(f"{R}/daily", headers=d.as_("sales_manager")).json()
    assert (n["quotes"], n["deposits"], n["deposits_minor"], n["deals_closed"]) == (
        2, 1, 1000, 1)
    assert n["closing_ratio"] == 0.5 and n["deliveries"] == 1
    # Net price less the 30,000 over-allowance on the trade-in; the warranty's 50,000.
    assert n["front_gross_minor"] == 4500000 - 100000 - 30000
    assert n["back_gross_minor"] == 50000 and n["open_orders_past_promised_date"] == 1
    past = client.get(f"{R}/daily", params={"day": "2020-01-01"},
                      headers=d.as_("sales_manager")).json()
    assert past["quotes"] == 0 and past["closing_ratio"] is None
