"""Orders through HTTP: colours and alternatives, deposits in minor units, the stages with
what each requires, the change cut-off, the date history, cancelling with the refund."""

from __future__ import annotations

from tests.plugins.dealership.support import (
    GOOD_VIN,
    customer,
    dealer,
    move,
    order,
    vehicle,
)

API = "/api/v1/dealership/orders"


def test_an_order_keeps_the_colour_and_the_alternatives_in_order(client):
    d = dealer(client)
    v, c = vehicle(client, d), customer(client, d)
    o = order(client, d, v, c, options=["WP1"], discount_minor=50000)
    assert o["state"] == "quote" and o["colour_code"] == "F9R"
    assert o["alternative_colours"] == ["9P9P", "1Z1Z"]
    assert o["price_minor"] == 4500000 + 120000 and o["currency"] == "EUR"
    assert o["balance_due_minor"] == 4620000 - 50000
    assert o["salesperson_id"] == d.members["salesperson"]
    bad = [({"colour_code": "PINK"}, "colour_code"),
           ({"alternative_colours": ["9P9P", "PINK"]}, "alternative_colours[1]"),
           ({"alternative_colours": ["F9R"]}, "alternative_colours"),
           ({"options": ["NOPE"]}, "options[0]"),
           ({"vehicle_id": c}, "vehicle_id"),
           ({"discount_minor": -1}, "discount_minor")]
    for change, field in bad:
        body = {"contact_id": c, "vehicle_id": v["id"], "colour_code": "F9R", **change}
        r = client.post(API, json=body, headers=d.as_("salesperson"))
        assert 400 <= r.status_code < 500 and field in r.text, (change, r.text)
    listed = client.get(API, headers=d.as_("salesperson")).json()["items"]
    assert [x["id"] for x in listed] == [o["id"]]  # nothing else was written
    # Another salesperson neither sees nor changes it; a manager sees every order.
    assert client.get(f"{API}/{o['id']}", headers=d.as_("rival")).status_code == 404
    assert client.get(API, headers=d.as_("rival")).json()["items"] == []
    assert client.get(f"{API}/{o['id']}", headers=d.as_("sales_manager")).status_code == 200


def test_the_order_runs_through_the_factory_stages(client):
    d = dealer(client)
    v, c = vehicle(client, d), customer(client, d)
    o = order(client, d, v, c, expected_delivery="2030-03-01")
    oid = o["id"]
    r = move(client, d, oid, "deposit_paid")
    assert r.status_code == 409 and "deposit" in r.text
    r = client.post(f"{API}/{oid}/deposits", headers=d.as_("salesperson"),
                    json={"amount_minor": 100000, "currency": "USD", "receipt": "R-1"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "currency"
    r = client.post(f"{API}/{oid}/deposits", headers=d.as_("salesperson"),
                    json={"amount_minor": 0, "currency": "EUR", "receipt": "R-1"})
    assert r.status_code in (400, 422) and "amount_minor" in r.text
    r = client.post(f"{API}/{oid}/deposits", headers=d.as_("salesperson"),
                    json={"amount_minor": 100000, "currency": "EUR", "receipt": "R-1"})
    assert r.status_code == 201, r.text
    assert move(client, d, oid, "ordered").status_code == 409  # skipping a stage
    assert move(client, d, oid, "deposit_paid").status_code == 200
    assert move(client, d, oid, "allocated").status_code == 200
    r = move(client, d, oid, "ordered")
    assert r.status_code == 422 and "manufacturer_order_no" in r.text
    r = move(client, d, oid, "ordered", manufacturer_order_no="SK-2026-0042")
    assert r.status_code == 200 and r.json()["manufacturer_order_no"] == "SK-2026-0042"
    # Colour still changes before the cut-off (scheduled by default), not after.
    r = client.patch(f"{API}/{oid}", headers=d.as_("salesperson"), json={"colour_code": "9P9P",
                     "alternative_colours": ["F9R"]})
    assert r.status_code == 200 and r.json()["colour_code"] == "9P9P"
    r = move(client, d, oid, "scheduled", production_week="2030-W02")
    assert r.status_code == 200, r.text
    r = client.patch(f"{API}/{oid}", headers=d.as_("salesperson"), json={"colour_code": "F9R"})
    assert r.status_code == 409 and "cut-off" in r.text
    assert move(client, d, oid, "produced", vin="BAD").status_code == 422
    r = move(client, d, oid, "produced", vin=GOOD_VIN)
    assert r.status_code == 200 and r.json()["vin"] == GOOD_VIN
    r = client.post(f"{API}/{oid}/delivery-date", headers=d.as_("salesperson"),
                    json={"expected_delivery": "2030-04-15", "reason": "Ship delayed"})
    assert r.status_code == 200 and r.json()["expected_delivery"] == "2030-04-15"
    for stage in ("in_transit", "arrived", "delivered"):
        r = move(client, d, oid, stage)
        assert r.status_code == 200, r.text
    assert r.json()["delivered_colour"] == "9P9P" and r.json()["delivered_on"]
    history = client.get(f"{API}/{oid}/history", headers=d.as_("salesperson")).json()["items"]
    kinds = [e["kind"] for e in history]
    assert kinds[0] == "created" and kinds.count("stage") == 8 and "date_changed" in kinds
    dated = next(e for e in history if e["kind"] == "date_changed")
    assert dated["data"] == {"from": "2030-03-01", "to": "2030-04-15", "reason": "Ship delayed",
                             "agreed_with_customer": False}
    assert move(client, d, oid, "cancel").status_code == 409
    assert move(client, d, oid, "unwind").status_code == 403  # managers only
    assert move(client, d, oid, "unwind", who="sales_manager").status_code == 200


def test_cancelling_refunds_the_deposit_and_refunds_never_exceed_it(client):
    d = dealer(client)
    v, c = vehicle(client, d), customer(client, d)
    oid = order(client, d, v, c)["id"]
    h = d.as_("salesperson")
    client.post(f"{API}/{oid}/deposits", headers=h,
                json={"amount_minor": 250000, "currency": "EUR", "receipt": "R-7"})
    r = client.post(f"{API}/{oid}/refunds", headers=h,
                    json={"amount_minor": 250001, "reason": "too much"})
    assert r.status_code == 422 and "250000" in r.text
    r = client.post(f"{API}/{oid}/refunds", headers=h,
                    json={"amount_minor": 50000, "reason": "price drop"})
    assert r.status_code == 201
    r = move(client, d, oid, "cancel", note="Financing declined", refund_receipt="RF-9")
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    assert r.json()["deposit_held_minor"] == 0
    pays = client.get(f"{API}/{oid}/payments", headers=h).json()
    assert pays["held_minor"] == 0
    assert [(p["kind"], p["amount_minor"]) for p in pays["items"]] == [
        ("deposit", 250000), ("refund", 50000), ("refund", 200000)]
    assert pays["items"][-1]["reason"] == "Financing declined"
    assert client.post(f"{API}/{oid}/deposits", headers=h, json={
        "amount_minor": 1, "currency": "EUR", "receipt": "x"}).status_code == 409


def test_a_manager_reassigns_and_splits_and_it_is_logged(client):
    d = dealer(client)
    v, c = vehicle(client, d), customer(client, d)
    oid = order(client, d, v, c)["id"]
    split = [{"member_id": d.members["salesperson"], "percent": 60},
             {"member_id": d.members["rival"], "percent": 40}]
    r = client.patch(f"{API}/{oid}", headers=d.as_("salesperson"), json={"splits": split})
    assert r.status_code == 403
    r = client.patch(f"{API}/{oid}", headers=d.as_("sales_manager"),
                     json={"splits": [{**split[0], "percent": 70}, split[1]]})
    assert r.status_code == 422 and "100" in r.text
    r = client.patch(f"{API}/{oid}", headers=d.as_("sales_manager"), json={"splits": split})
    assert r.status_code == 200 and r.json()["splits"] == split
    r = client.patch(f"{API}/{oid}", headers=d.as_("sales_manager"),
                     json={"salesperson_id": d.members["rival"]})
    assert r.status_code == 200 and r.json()["salesperson_id"] == d.members["rival"]
    kinds = [e["kind"] for e in client.get(f"{API}/{oid}/history",
                                           headers=d.as_("sales_manager")).json()["items"]]
    assert kinds == ["created", "split", "reassigned"]


def test_the_buyer_is_told_of_stages_and_dates_unless_they_asked_not_to_be(client):
    d = dealer(client)
    v = vehicle(client, d)
    told, quiet = customer(client, d, "Told"), customer(client, d, "Quiet")
    r = client.put(f"/api/v1/contacts/{quiet}/contact-policy", headers=d.as_("owner"),
                   json={"do_not_contact": True})
    assert r.status_code in (200, 204), r.text
    for contact in (told, quiet):
        oid = order(client, d, v, contact)["id"]
        client.post(f"{API}/{oid}/deposits", headers=d.as_("salesperson"),
                    json={"amount_minor": 1000, "currency": "EUR", "receipt": "R"})
        assert move(client, d, oid, "deposit_paid").status_code == 200
        r = client.post(f"{API}/{oid}/delivery-date", headers=d.as_("salesperson"),
                        json={"expected_delivery": "2031-02-01", "reason": "Allocation moved"})
        assert r.status_code == 200
        kinds = [e["kind"] for e in client.get(f"{API}/{oid}/history",
                                               headers=d.as_("salesperson")).json()["items"]]
        expected = "told" if contact == told else "not_told"
        assert kinds.count(expected) == 2, kinds
    sent = client.get("/api/v1/interactions", params={"contact_id": told},
                      headers=d.as_("owner")).json()["items"]
    assert sorted(i["subject"] for i in sent) == ["New delivery date: 2031-02-01",
                                                  "Your order: Deposit paid"]
    assert all(i["direction"] == "outbound" and i["channel"] == "email" for i in sent)
    assert client.get("/api/v1/interactions", params={"contact_id": quiet},
                      headers=d.as_("owner")).json()["items"] == []
