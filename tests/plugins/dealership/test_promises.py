"""The promise ledger through HTTP: what, to whom, by whom, when, how likely; resolving
once, renegotiating into a chain, who may decide, and order-tied promises settling
themselves on delivery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.plugins.dealership.support import customer, dealer, move, order, promise, vehicle

API = "/api/v1/dealership/promises"


def test_bad_promises_are_refused_naming_the_field_and_nothing_is_written(client):
    d = dealer(client)
    c = customer(client, d)
    due = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    base = {"kind": "we_owe", "text": "Second key", "contact_id": c, "due_at": due,
            "probability": 0.9}
    for change, field in (({"probability": 1.2}, "probability"),
                          ({"probability": -0.1}, "probability"),
                          ({"due_at": past}, "due_at"),
                          ({"kind": "bribe"}, "kind"),
                          ({"contact_id": d.members["rival"]}, "contact_id"),
                          ({"order_id": c}, "order_id"),
                          ({"cost_minor": 5000}, "cost_currency")):
        r = client.post(API, json={**base, **change}, headers=d.as_("salesperson"))
        assert r.status_code in (400, 422) and field in r.text, (change, r.text)
    assert client.get(API, headers=d.as_("sales_manager")).json()["items"] == []


def test_a_we_owe_with_its_department_cost_and_one_decision(client):
    d = dealer(client)
    c = customer(client, d)
    p = promise(client, d, c, kind="we_owe", text="Second key and floor mats",
                fulfilled_by="parts", cost_minor=18000, cost_currency="EUR",
                cost_borne_by="dealer", alternatives=["rubber mats"])
    assert p["status"] == "open" and p["fulfilled_by"] == "parts" and not p["overdue"]
    assert p["promised_by"] == d.members["salesperson"] and p["probability"] == 0.8
    url = f"{API}/{p['id']}/resolve"
    body = {"outcome": "kept", "evidence": "Handed over on 3 May, signed sheet"}
    assert client.post(url, json=body, headers=d.as_("rival")).status_code == 404
    assert client.post(url, json={"outcome": "maybe", "evidence": "x"},
                       headers=d.as_("salesperson")).status_code in (400, 422)
    r = client.post(url, json=body, headers=d.as_("salesperson"))
    assert r.status_code == 200 and r.json()["status"] == "kept"
    assert r.json()["decided_by"] == d.members["salesperson"]
    again = client.post(url, json={"outcome": "broken", "evidence": "no"},
                        headers=d.as_("sales_manager"))
    assert again.status_code == 409 and "already kept" in again.text
    assert client.get(f"{API}/{p['id']}", headers=d.as_("salesperson")).json()["status"] == "kept"


def test_a_manager_decides_anyones_and_renegotiating_keeps_the_chain(client):
    d = dealer(client)
    c = customer(client, d)
    p = promise(client, d, c, who="rival", kind="price", text="Price held until Friday")
    later = (datetime.now(UTC) + timedelta(days=20)).isoformat()
    r = client.post(f"{API}/{p['id']}/renegotiate", headers=d.as_("salesperson"),
                    json={"due_at": later, "probability": 0.6, "evidence": "asked"})
    assert r.status_code == 404  # not theirs, and a salesperson sees only their own
    r = client.post(f"{API}/{p['id']}/renegotiate", headers=d.as_("sales_manager"),
                    json={"due_at": later, "probability": 0.6,
                          "evidence": "Customer agreed on the phone"})
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["supersedes"] == p["id"] and new["status"] == "open"
    assert new["probability"] == 0.6 and new["promised_by"] == d.members["rival"]
    old = client.get(f"{API}/{p['id']}", headers=d.as_("rival")).json()
    assert old["status"] == "renegotiated" and old["superseded_by"] == new["id"]
    chain = client.get(f"{API}/{new['id']}/chain", headers=d.as_("rival")).json()["items"]
    assert [x["id"] for x in chain] == [p["id"], new["id"]]
    r = client.post(f"{API}/{p['id']}/renegotiate", headers=d.as_("sales_manager"),
                    json={"due_at": later, "probability": 0.5, "evidence": "again"})
    assert r.status_code == 409


def test_lists_filter_by_status_due_member_and_contact(client):
    d = dealer(client)
    a, b = customer(client, d, "Anna"), customer(client, d, "Bohdan")
    soon = promise(client, d, a, days=1)
    late = promise(client, d, b, days=30, who="rival")
    h = d.as_("sales_manager")
    before = (datetime.now(UTC) + timedelta(days=5)).isoformat().replace("+00:00", "Z")
    assert [p["id"] for p in client.get(API, params={"due_before": before},
                                        headers=h).json()["items"]] == [soon["id"]]
    assert [p["id"] for p in client.get(API, params={"member_id": d.members["rival"]},
                                        headers=h).json()["items"]] == [late["id"]]
    assert [p["id"] for p in client.get(API, params={"contact_id": a},
                                        headers=h).json()["items"]] == [soon["id"]]
    assert len(client.get(API, params={"status": "open"}, headers=h).json()["items"]) == 2
    assert client.get(API, params={"status": "kept"}, headers=h).json()["items"] == []
    mine = client.get(API, headers=d.as_("salesperson")).json()["items"]
    assert [p["id"] for p in mine] == [soon["id"]]
    page = client.get(API, params={"limit": 1}, headers=h).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = client.get(API, params={"limit": 1, "cursor": page["next_cursor"]}, headers=h)
    assert rest.json()["items"][0]["id"] == soon["id"]


def test_order_promises_resolve_themselves_on_delivery(client):
    d = dealer(client)
    v, c = vehicle(client, d), customer(client, d)
    o = order(client, d, v, c)
    oid = o["id"]
    on_time = promise(client, d, c, kind="delivery_date", text="Car by the wedding",
                      order_id=oid, days=60)
    colour = promise(client, d, c, kind="colour", text="Red or grey", order_id=oid, days=60)
    call = promise(client, d, c, kind="call_back", text="Call after delivery", order_id=oid)
    client.post(f"/api/v1/dealership/orders/{oid}/deposits", headers=d.as_("salesperson"),
                json={"amount_minor": 100000, "currency": "EUR", "receipt": "R1"})
    for stage, extra in (("deposit_paid", {}), ("allocated", {}),
                         ("ordered", {"manufacturer_order_no": "M1"}),
                         ("scheduled", {"production_week": "2030-W01"}),
                         ("produced", {"vin": "TMBJJ7NS5R8000777"}), ("in_transit", {}),
                         ("arrived", {}), ("delivered", {"delivered_colour": "1Z1Z"})):
        r = move(client, d, oid, stage, **extra)
        assert r.status_code == 200, (stage, r.text)
    got = {p["id"]: p for p in client.get(API, params={"order_id": oid},
                                          headers=d.as_("salesperson")).json()["items"]}
    assert got[on_time["id"]]["status"] == "kept"
    assert got[colour["id"]]["status"] == "kept"  # 1Z1Z was an accepted alternative
    assert "1Z1Z" in got[colour["id"]]["evidence"]
    assert got[call["id"]]["status"] == "open"  # only delivery and colour settle themselves


def test_a_colour_nobody_accepted_breaks_the_colour_promise(client):
    d = dealer(client)
    v, c = vehicle(client, d), customer(client, d)
    oid = order(client, d, v, c, alternative_colours=[])["id"]
    p = promise(client, d, c, kind="colour", text="Red, guaranteed", order_id=oid, days=60)
    client.post(f"/api/v1/dealership/orders/{oid}/deposits", headers=d.as_("salesperson"),
                json={"amount_minor": 1000, "currency": "EUR", "receipt": "R1"})
    for stage, extra in (("deposit_paid", {}), ("allocated", {}),
                         ("ordered", {"manufacturer_order_no": "M2"}),
                         ("scheduled", {"production_week": "2030-W01"}),
                         ("produced", {"vin": "TMBJJ7NS5R8000778"}), ("in_transit", {}),
                         ("arrived", {}), ("delivered", {"delivered_colour": "2Y2Y"})):
        assert move(client, d, oid, stage, **extra).status_code == 200
    got = client.get(f"{API}/{p['id']}", headers=d.as_("salesperson")).json()
    assert got["status"] == "broken" and got["decided_by"] is None


def test_an_agreed_new_delivery_date_renegotiates_the_date_promise(client):
    d = dealer(client)
    v, c = vehicle(client, d), customer(client, d)
    oid = order(client, d, v, c, expected_delivery="2031-01-10")["id"]
    p = promise(client, d, c, kind="delivery_date", text="By 10 January", order_id=oid, days=40)
    r = client.post(f"/api/v1/dealership/orders/{oid}/delivery-date",
                    headers=d.as_("salesperson"),
                    json={"expected_delivery": "2031-02-20", "reason": "Factory strike",
                          "agreed_with_customer": True})
    assert r.status_code == 200, r.text
    old = client.get(f"{API}/{p['id']}", headers=d.as_("salesperson")).json()
    assert old["status"] == "renegotiated" and "Factory strike" in old["evidence"]
    new = client.get(f"{API}/{old['superseded_by']}", headers=d.as_("salesperson")).json()
    assert new["due_at"].startswith("2031-02-20") and new["status"] == "open"
