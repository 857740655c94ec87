"""Releasing an order's stock unit without cancelling the order, and ending a running sales
contest today: who may, what changes, and the refusals (409 naming why, nothing written)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.plugins.dealership.support import GOOD_VIN, customer, dealer, order, vehicle

API = "/api/v1/dealership"


def test_a_reserved_unit_is_released_back_to_the_lot(client):
    d = dealer(client)
    v = vehicle(client, d)
    o = order(client, d, v, customer(client, d))
    r = client.post(f"{API}/orders/{o['id']}/release", headers=d.as_("salesperson"))
    assert r.status_code == 409 and "no stock unit" in r.text
    unit = client.post(f"{API}/stock", headers=d.as_("sales_manager"), json={
        "vehicle_id": v["id"], "vin": GOOD_VIN, "colour_code": "F9R"}).json()
    r = client.post(f"{API}/orders/{o['id']}/reserve", headers=d.as_("salesperson"),
                    json={"stock_unit_id": unit["id"]})
    assert r.status_code == 200, r.text
    # Another salesperson's order is not theirs to release (404, as every read of it).
    r = client.post(f"{API}/orders/{o['id']}/release", headers=d.as_("rival"))
    assert r.status_code == 404
    r = client.post(f"{API}/orders/{o['id']}/release", headers=d.as_("salesperson"))
    assert r.status_code == 200, r.text
    assert (r.json()["stock_unit_id"], r.json()["vin"], r.json()["state"]) == (
        None, None, "quote")
    got = client.get(f"{API}/stock/{unit['id']}", headers=d.as_("salesperson")).json()
    assert (got["status"], got["order_id"]) == ("in_stock", None)
    log = client.get(f"{API}/orders/{o['id']}/history", headers=d.as_("salesperson")).json()
    assert [e["kind"] for e in log["items"]][-2:] == ["reserved", "released"]


def test_a_running_contest_ends_today_once(client):
    d = dealer(client)
    today = datetime.now(UTC).date()
    made = {}
    for name, start, end in (("Running", today - timedelta(days=5), today + timedelta(days=20)),
                             ("Later", today + timedelta(days=3), today + timedelta(days=9))):
        r = client.post(f"{API}/incentives/contests", headers=d.as_("sales_manager"), json={
            "name": name, "starts_on": str(start), "ends_on": str(end), "measure": "units"})
        assert r.status_code == 201, r.text
        made[name] = r.json()["id"]
    r = client.post(f"{API}/incentives/contests/{made['Running']}/end",
                    headers=d.as_("salesperson"))
    assert r.status_code == 403
    r = client.post(f"{API}/incentives/contests/{made['Later']}/end",
                    headers=d.as_("sales_manager"))
    assert r.status_code == 409 and "not started" in r.text
    r = client.post(f"{API}/incentives/contests/{made['Running']}/end",
                    headers=d.as_("sales_manager"))
    assert r.status_code == 200 and r.json()["ends_on"] == str(today)
    r = client.post(f"{API}/incentives/contests/{made['Running']}/end",
                    headers=d.as_("sales_manager"))
    assert r.status_code == 409 and "already over" in r.text
    later = client.get(f"{API}/incentives/contests/{made['Later']}",
                       headers=d.as_("sales_manager")).json()
    assert later["ends_on"] == str(today + timedelta(days=9))
