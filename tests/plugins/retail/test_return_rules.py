"""A return after the purchase's points were spent follows the program's ``return_rule``:
``negative`` lets the balance go below zero until later earnings repay it; ``refuse``
refuses it and writes nothing. The ledger always sums to the balance."""

from __future__ import annotations

from tests.plugins.retail.support import R, buy, customer, shop


def _return(client, s, purchase: str, return_id: str, amount: str):
    return client.post(f"{R}/till/returns", json={"purchase_external_id": purchase,
                                                  "return_id": return_id, "amount": amount},
                       headers=s.cashier)


def _ledger_sum(client, s, member_id: str) -> tuple[int, int]:
    page = client.get(f"{R}/members/{member_id}/ledger", headers=s.headers,
                      params={"limit": 200}).json()
    return page["balance"], sum(e["points"] for e in page["items"])


def test_negative_rule_lets_the_balance_go_below_zero_and_later_earnings_repay(client):
    s = shop(client, return_rule="negative")
    member = customer(client, s)
    card = member["cards"][0]["number"]
    assert buy(client, s, card, "n-1", "100").status_code == 201
    assert buy(client, s, card, "n-2", "1", redeem_points=91).json()["balance"] == 10
    r = _return(client, s, "n-1", "nr-1", "100")
    assert r.status_code == 201, r.text
    assert r.json()["points_reversed"] == 100 and r.json()["balance"] == -90
    view = client.get(f"{R}/till/cards/{card}", headers=s.cashier).json()
    assert view["balance"] == -90
    # Nothing to redeem while negative; the database's floor is the debt itself.
    r = buy(client, s, card, "n-3", "50", redeem_points=1)
    assert r.status_code == 409 and "redeem_points" in r.text
    assert buy(client, s, card, "n-4", "150").json()["balance"] == 60
    assert _ledger_sum(client, s, member["id"]) == (60, 60)
    # Only the 60 points not spent on the debt are left in the new batch to redeem.
    r = buy(client, s, card, "n-5", "1", redeem_points=61)
    assert r.status_code == 201 and r.json()["balance"] == 0
    assert _ledger_sum(client, s, member["id"]) == (0, 0)


def test_refuse_rule_refuses_a_return_whose_points_were_spent(client):
    s = shop(client)
    r = client.patch(f"{R}/programs/{s.program_id}", json={"return_rule": "refuse"},
                     headers=s.headers)
    assert r.status_code == 200 and r.json()["return_rule"] == "refuse"
    member = customer(client, s)
    card = member["cards"][0]["number"]
    buy(client, s, card, "f-1", "100")
    buy(client, s, card, "f-2", "100")
    buy(client, s, card, "f-3", "1", redeem_points=150)  # spends f-1's batch and half of f-2's
    r = _return(client, s, "f-1", "fr-1", "100")
    assert r.status_code == 409 and "refuses" in r.text and "amount" in r.text
    assert client.get(f"{R}/till/cards/{card}", headers=s.cashier).json()["balance"] == 51
    # The points of f-3's own purchase are unspent: its return goes through.
    r = _return(client, s, "f-3", "fr-2", "1")
    assert r.status_code == 201, r.text
    assert r.json()["points_given_back"] == 150
    bad = client.patch(f"{R}/programs/{s.program_id}", json={"return_rule": "later"},
                       headers=s.headers)
    assert bad.status_code in (400, 422) and "return_rule" in bad.text
