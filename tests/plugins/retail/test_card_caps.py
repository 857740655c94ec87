"""Daily earn and redeem caps are per card: a member's two cards each have their own, at
the till and on the event path (a purchase from outside the till is the member's first
active card's); concurrent redemptions on both cards keep each card's cap and the balance,
because every change of the member is serialised on its locked row and the debit is the
database's conditional UPDATE."""

from __future__ import annotations

import asyncio

import httpx

from tests.plugins.retail.support import R, buy, customer, shop
from tests.plugins.retail.test_event_earning import _ledger, _pass
from tests.plugins.retail.test_event_earning_rules import _record


def _second_card(client, s, member) -> str:
    r = client.post(f"{R}/members/{member['id']}/cards", json={}, headers=s.cashier)
    assert r.status_code == 201, r.text
    assert r.json()["member_id"] == member["id"] and r.json()["state"] == "active"
    return r.json()["number"]


def test_two_cards_of_one_member_each_have_their_own_caps(client):
    s = shop(client, daily_earn_cap=150, daily_redeem_cap=100)
    member = customer(client, s)
    first = member["cards"][0]["number"]
    second = _second_card(client, s, member)
    assert buy(client, s, first, "a-1", "100").json()["points_earned"] == 100
    assert buy(client, s, first, "a-2", "100").json()["points_earned"] == 50
    assert buy(client, s, first, "a-3", "100").json()["points_earned"] == 0
    # The other card's cap is untouched by the first card's earnings.
    assert buy(client, s, second, "b-1", "100").json()["points_earned"] == 100
    assert buy(client, s, second, "b-2", "100").json()["points_earned"] == 50
    assert buy(client, s, first, "a-4", "1", redeem_points=80).status_code == 201
    r = buy(client, s, first, "a-5", "1", redeem_points=30)
    assert r.status_code == 409, r.text
    assert "daily cap" in r.text and first in r.text and "redeem_points" in r.text
    r = buy(client, s, second, "b-3", "1", redeem_points=90)
    assert r.status_code == 201, r.text
    ledger = _ledger(client, s, member)
    assert ledger["balance"] == 300 - 80 - 90
    assert ledger["balance"] == sum(e["points"] for e in ledger["items"])
    cards = client.get(f"{R}/members/{member['id']}", headers=s.headers).json()["cards"]
    assert [c["number"] for c in cards] == [first, second]


def test_concurrent_redemptions_on_two_cards_keep_each_cap(client):
    s = shop(client, daily_redeem_cap=100)
    member = customer(client, s)
    cards = [member["cards"][0]["number"], _second_card(client, s, member)]
    assert buy(client, s, cards[0], "seed", "1000").status_code == 201
    url = str(client.base_url)

    async def run() -> list[tuple[str, int]]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=client.app),
                                     base_url=url) as c:
            asked = [(cards[i % 2], i) for i in range(8)]
            answers = await asyncio.gather(*[
                c.post(f"{R}/till/purchases", headers=s.cashier, json={
                    "card_number": card, "external_id": f"r-{i}", "currency": "UAH",
                    "amount": "1", "redeem_points": 60}) for card, i in asked])
            return [(card, r.status_code) for (card, _), r in zip(asked, answers, strict=True)]

    codes = asyncio.run(run())
    # 60 + 60 passes a card's cap of 100: exactly one redemption per card gets through.
    for card in cards:
        assert sorted(code for c, code in codes if c == card) == [201, 409, 409, 409], codes
    ledger = _ledger(client, s, member)
    assert ledger["balance"] == 1000 + 2 * 1 - 120  # a refused purchase writes nothing
    assert ledger["balance"] == sum(e["points"] for e in ledger["items"])


def test_event_path_earns_on_the_first_active_card_under_its_cap(client, database):
    s = shop(client, daily_earn_cap=150)
    member = customer(client, s)
    first = member["cards"][0]["number"]
    second = _second_card(client, s, member)
    assert buy(client, s, second, "till-1", "120").json()["points_earned"] == 120
    _record(client, s, member["contact_id"], "web-1", amount="100")
    _record(client, s, member["contact_id"], "web-2", amount="100")
    _pass(database)
    # The web purchases are the first card's: its own cap (150), not what the second
    # card earned at the till.
    assert _ledger(client, s, member)["balance"] == 120 + 150
    with database.connect_superuser() as conn:
        rows = conn.execute(
            "SELECT c.number, sum(e.points) FROM retail_ledger e JOIN retail_cards c"
            " ON c.tenant_id = e.tenant_id AND c.id = e.card_id WHERE e.tenant_id = %s"
            " AND e.kind = 'earn' GROUP BY c.number", (s.tenant.id,)).fetchall()
    assert dict(rows) == {first: 150, second: 120}
    # Blocked, the first card no longer takes them: the next web purchase is the second's.
    r = client.post(f"{R}/cards/{first}/block", json={"state": "lost"}, headers=s.headers)
    assert r.status_code == 201, r.text
    _record(client, s, member["contact_id"], "web-3", amount="100")
    _pass(database)
    assert _ledger(client, s, member)["balance"] == 120 + 150 + 30


def test_another_card_refusals(client):
    s = shop(client)
    member = customer(client, s)
    url = f"{R}/members/{member['id']}/cards"
    r = client.post(url, json={"kind": "plastic"}, headers=s.cashier)
    assert r.status_code == 422 and "number" in r.text
    r = client.post(url, json={"kind": "plastic", "number": "4111111111111112"},
                    headers=s.cashier)
    assert r.status_code == 422 and "number" in r.text  # wrong check digit
    r = client.post(url, json={"kind": "virtual",
                               "number": member["cards"][0]["number"]}, headers=s.cashier)
    assert r.status_code == 409 and "number" in r.text
    r = client.post(url, json={"colour": "gold"}, headers=s.cashier)
    assert r.status_code == 422
    gone = client.post(f"{R}/members/00000000-0000-0000-0000-000000000000/cards", json={},
                       headers=s.cashier)
    assert gone.status_code == 404
    assert client.post(f"{R}/members/{member['id']}/erasure",
                       headers=s.headers).status_code == 201
    r = client.post(url, json={}, headers=s.cashier)
    assert r.status_code == 409 and "erased" in r.text
