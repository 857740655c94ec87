"""Trade-in, financing and F&I products through HTTP: equity and over-allowance, no card
numbers stored, a declined application refunding the deposit, chargebacks bounded."""

from __future__ import annotations

from tests.plugins.dealership.support import customer, dealer, order, vehicle

API = "/api/v1/dealership/orders"


def test_a_trade_in_shows_equity_and_over_allowance(client):
    d = dealer(client)
    oid = order(client, d, vehicle(client, d), customer(client, d))["id"]
    url, h = f"{API}/{oid}/trade-ins", d.as_("salesperson")
    body = {"vin": "WVWZZZ1JZ3W386752", "mileage_km": 84000, "condition": "good",
            "actual_cash_value_minor": 900000, "allowance_minor": 1000000,
            "payoff_minor": 1200000, "valid_until": "2031-01-31"}
    r = client.post(url, headers=h, json=body)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "lienholder"
    assert client.post(url, headers=h, json={**body, "vin": "WVWZZZ1JZ3W38675O",
                                             "lienholder": "Bank"}).status_code == 422
    r = client.post(url, headers=h, json={**body, "lienholder": "PrivatBank"})
    assert r.status_code == 201, r.text
    t = r.json()
    assert (t["over_allowance_minor"], t["equity_minor"]) == (100000, -200000)
    assert client.get(f"{API}/{oid}", headers=h).json()["trade_in_minor"] == 1000000
    assert [x["id"] for x in client.get(url, headers=h).json()["items"]] == [t["id"]]
    assert client.get(url, headers=d.as_("rival")).status_code == 404


def test_declined_financing_refunds_the_deposit_and_card_numbers_are_refused(client):
    d = dealer(client)
    oid = order(client, d, vehicle(client, d), customer(client, d))["id"]
    h = d.as_("salesperson")
    client.post(f"{API}/{oid}/deposits", headers=h,
                json={"amount_minor": 200000, "currency": "EUR", "receipt": "R-1"})
    r = client.post(f"{API}/{oid}/financing", headers=h, json={
        "lender": "Bank", "amount_minor": 3000000,
        "lender_reference": "card 4111 1111 1111 1111"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "lender_reference"
    r = client.post(f"{API}/{oid}/financing", headers=h, json={
        "lender": "Oschadbank", "amount_minor": 3000000,
        "lender_reference": "https://lender.example/apps/APP-2291"})
    assert r.status_code == 201, r.text
    app_id = r.json()["id"]
    url = f"{API}/{oid}/financing/{app_id}/decision"
    assert client.post(url, headers=h, json={"status": "approved", "refund_deposit": True}
                       ).status_code == 422
    r = client.post(url, headers=h, json={"status": "declined", "refund_deposit": True,
                                          "note": "Income too low"})
    assert r.status_code == 200 and r.json()["status"] == "declined"
    pays = client.get(f"{API}/{oid}/payments", headers=h).json()
    assert pays["held_minor"] == 0 and pays["items"][-1]["kind"] == "refund"
    assert "declined by Oschadbank" in pays["items"][-1]["reason"]
    assert client.post(url, headers=h, json={"status": "approved"}).status_code == 409
    other = f"{API}/{oid}/financing/{oid}/decision"
    assert client.post(other, headers=h, json={"status": "approved"}).status_code == 404


def test_products_and_their_chargebacks(client):
    d = dealer(client)
    oid = order(client, d, vehicle(client, d), customer(client, d))["id"]
    h = d.as_("salesperson")
    r = client.post(f"{API}/{oid}/products", headers=h, json={
        "kind": "gap", "provider": "InsureCo", "price_minor": 60000, "cost_minor": 20000})
    assert r.status_code == 201 and r.json()["gross_minor"] == 40000
    pid = r.json()["id"]
    url = f"{API}/{oid}/products/{pid}/chargeback"
    assert client.post(url, headers=h, json={"amount_minor": 60001, "reason": "x"}
                       ).status_code == 422
    r = client.post(url, headers=h, json={"amount_minor": 30000,
                                          "reason": "Cancelled within 30 days"})
    assert r.status_code == 200 and r.json()["gross_minor"] == 10000
    items = client.get(f"{API}/{oid}/products", headers=h).json()["items"]
    assert items[0]["chargeback_minor"] == 30000
    assert client.post(f"{API}/{oid}/products", headers=h, json={
        "kind": "timeshare", "provider": "x", "price_minor": 1}).status_code in (400, 422)
