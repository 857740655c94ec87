"""Returns by line, and returns of purchases recorded outside the till: returning some
lines takes back the points those lines earned (under the rules that earned them), at
their price in the purchase; a SKU never comes back more often than it was sold; a
purchase a web shop recorded through ``POST /api/v1/transactions`` (earned through the
outbox) is returned the same way."""

from __future__ import annotations

from rapport.hooks import load_registry
from tests.core.events.support import deliver
from tests.plugins.retail.support import R, buy, customer, shop

BASKET = [{"product": "COFFEE", "quantity": "2", "unit_price": "10"},
          {"product": "BREAD", "quantity": "3", "unit_price": "15"}]


def _return(client, s, purchase: str, return_id: str, **what):
    return client.post(f"{R}/till/returns", json={"purchase_external_id": purchase,
                                                  "return_id": return_id, **what},
                       headers=s.cashier)


def _coffee_x3(client, s) -> None:
    r = client.post(f"{R}/programs/{s.program_id}/rules",
                    json={"name": "Coffee x3", "sku": "COFFEE", "multiplier": "3"},
                    headers=s.headers)
    assert r.status_code == 201, r.text


def test_a_line_takes_back_what_it_earned(client):
    s = shop(client)
    _coffee_x3(client, s)
    card = customer(client, s)["cards"][0]["number"]
    r = buy(client, s, card, "l-1", lines=BASKET)
    assert r.json()["points_earned"] == 20 * 3 + 45
    # One coffee of two: its 10 money earned 30 points (x3), not 10/65 of 105.
    r = _return(client, s, "l-1", "lr-1", lines=[{"product": "COFFEE", "quantity": "1"}])
    assert r.status_code == 201, r.text
    assert (r.json()["points_reversed"], r.json()["balance"]) == (30, 75)
    # The same return again: the same answer, nothing more.
    again = _return(client, s, "l-1", "lr-1", lines=[{"product": "COFFEE", "quantity": "1"}])
    assert again.json() == r.json()
    # More coffee than is left (1): refused, naming the line, nothing written.
    r = _return(client, s, "l-1", "lr-2", lines=[{"product": "BREAD", "quantity": "1"},
                                                 {"product": "COFFEE", "quantity": "2"}])
    assert r.status_code == 422 and "lines[1].quantity" in r.text, r.text
    r = _return(client, s, "l-1", "lr-2", lines=[{"product": "TEA", "quantity": "1"}])
    assert r.status_code == 422 and "lines[0].product" in r.text, r.text
    # The rest of the basket, by line: everything it earned is back.
    r = _return(client, s, "l-1", "lr-3", lines=[{"product": "BREAD", "quantity": "3"},
                                                 {"product": "COFFEE", "quantity": "1"}])
    assert r.status_code == 201, r.text
    assert (r.json()["points_reversed"], r.json()["balance"]) == (75, 0)
    # Nothing left of the purchase's money either.
    r = _return(client, s, "l-1", "lr-4", amount="1")
    assert r.status_code == 422 and "amount" in r.text


def test_amount_or_lines_one_of_the_two(client):
    s = shop(client)
    card = customer(client, s)["cards"][0]["number"]
    buy(client, s, card, "o-1", "40")
    for body in ({}, {"amount": "10", "lines": [{"product": "X", "quantity": "1"}]}):
        r = _return(client, s, "o-1", "or-1", **body)
        assert r.status_code in (400, 422) and "amount" in r.text, r.text
    # Recorded without lines: only an amount can come back.
    r = _return(client, s, "o-1", "or-1", lines=[{"product": "X", "quantity": "1"}])
    assert r.status_code == 422 and "without lines" in r.text
    assert _return(client, s, "nope", "or-1", amount="1").status_code == 404


def test_a_purchase_recorded_outside_the_till_is_returned_too(client, database):
    s = shop(client)
    _coffee_x3(client, s)
    member = customer(client, s)
    body = {"currency": "UAH", "occurred_at": "2026-01-05T10:00:00Z", "channel": "web",
            "external_id": "web-9", "contact_id": member["contact_id"], "lines": BASKET}
    assert client.post("/api/v1/transactions", json=body,
                       headers=s.headers).status_code == 201
    # Not earned yet (the worker earns after commit): nothing to return, and it says why.
    r = _return(client, s, "web-9", "wr-0", amount="10")
    assert r.status_code == 409 and "not yet" in r.text, r.text
    deliver(database, load_registry())  # earned after commit, through the outbox
    card = member["cards"][0]["number"]
    assert client.get(f"{R}/till/cards/{card}", headers=s.cashier).json()["balance"] == 105
    r = _return(client, s, "web-9", "wr-1", lines=[{"product": "BREAD", "quantity": "2"}])
    assert r.status_code == 201, r.text
    assert (r.json()["points_reversed"], r.json()["balance"]) == (30, 75)
    r = _return(client, s, "web-9", "wr-2", amount="10")  # by money: its share of 105
    assert r.status_code == 201, r.text
    assert r.json()["points_reversed"] == 105 * 10 // 65


def test_another_tenants_purchase_cannot_be_returned(client):
    victim, thief = shop(client), shop(client)
    member = customer(client, victim)
    card = member["cards"][0]["number"]
    buy(client, victim, card, "x-1", lines=BASKET)
    # The same shop id in the thief's own tenant names nothing there.
    for what in ({"amount": "10"}, {"lines": [{"product": "BREAD", "quantity": "1"}]}):
        assert _return(client, thief, "x-1", "xr-1", **what).status_code == 404
    assert client.get(f"{R}/till/cards/{card}", headers=victim.cashier).json()["balance"] == 65
