"""Personal offers at the till: by tier, by what the member bought (a running SKU bonus),
by what the others in their relationship group buy, and rewards they can afford."""

from __future__ import annotations

from tests.plugins.retail.support import R, buy, customer, shop


def test_offers_by_tier_purchases_group_and_balance(client):
    s = shop(client)
    client.post(f"{R}/programs/{s.program_id}/tiers",
                json={"name": "Silver", "threshold": 0, "perks": ["Free parking"]},
                headers=s.headers)
    client.post(f"{R}/programs/{s.program_id}/rules",
                json={"name": "Coffee week", "sku": "COFFEE", "multiplier": "3"},
                headers=s.headers)
    client.post(f"{R}/programs/{s.program_id}/rewards",
                json={"name": "Free croissant", "points_cost": 10}, headers=s.headers)
    me = customer(client, s)
    sister = customer(client, s, given_name="Iryna")
    stranger = customer(client, s, given_name="Other")
    r = client.post("/api/v1/relationships", headers=s.headers, json={
        "kind": "family", "members": [{"contact_id": me["contact_id"]},
                                      {"contact_id": sister["contact_id"]}]})
    assert r.status_code == 201, r.text

    def lines(*skus):
        return [{"product": sku, "quantity": "1", "unit_price": "5"} for sku in skus]

    card = me["cards"][0]["number"]
    assert buy(client, s, card, "o-1", lines=lines("COFFEE")).status_code == 201
    buy(client, s, sister["cards"][0]["number"], "o-2", lines=lines("HONEY", "COFFEE"))
    buy(client, s, stranger["cards"][0]["number"], "o-3", lines=lines("CIGARS"))
    view = client.get(f"{R}/till/cards/{card}", headers=s.cashier).json()
    kinds = {(o["kind"], o["title"]) for o in view["offers"]}
    assert ("perk", "Free parking") in kinds
    assert ("bonus", "Coffee week: COFFEE x3") in kinds
    assert ("group", "HONEY") in kinds
    assert ("group", "CIGARS") not in kinds and ("group", "COFFEE") not in kinds
    assert ("reward", "Free croissant") in kinds
