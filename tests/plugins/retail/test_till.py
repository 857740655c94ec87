"""The till through HTTP: the card view, purchases (idempotent by external id), points
redemption that never overdraws (also under concurrency), vouchers used once, blocked and
replaced cards, adjustments, tiers and the report."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx
import pytest

from tests.plugins.retail.support import R, buy, customer, shop


def test_card_view_greets_by_salutation_and_birthday(client):
    s = shop(client)
    today = date.today()
    born = today.replace(year=1990) if not (today.month == 2 and today.day == 29) else today
    member = customer(client, s, patronymic="Petrivna", language="uk",
                      birthday=born.isoformat())
    card = member["cards"][0]["number"]
    r = client.get(f"{R}/till/cards/{card}", headers=s.cashier)
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["salutation"] == "Olena Petrivna"
    assert view["display_name"] == "Olena Shevchenko"
    assert view["birthday_today"] is True and view["days_to_birthday"] == 0
    assert view["balance"] == 0 and view["member_id"] == member["id"]


def test_bad_cards(client):
    s = shop(client)
    assert client.get(f"{R}/till/cards/4242424242424242", headers=s.cashier).status_code == 404
    r = client.get(f"{R}/till/cards/4242424242424241", headers=s.cashier)
    assert r.status_code == 422 and "check digit" in r.text
    card = customer(client, s)["cards"][0]["number"]
    r = client.post(f"{R}/cards/{card}/replace", json={}, headers=s.headers)
    assert r.status_code == 201, r.text
    new = r.json()["number"]
    r = client.get(f"{R}/till/cards/{card}", headers=s.cashier)
    assert r.status_code == 409 and new in r.text
    assert client.post(f"{R}/cards/{new}/block", json={"state": "lost"},
                       headers=s.headers).status_code == 201
    r = client.get(f"{R}/till/cards/{new}", headers=s.cashier)
    assert r.status_code == 409 and "lost" in r.text
    assert buy(client, s, new, "x-1").status_code == 409


def test_purchase_is_idempotent_and_redeems_within_balance(client):
    s = shop(client)
    card = customer(client, s)["cards"][0]["number"]
    first = buy(client, s, card, "till-1", "250")
    assert first.status_code == 201, first.text
    assert buy(client, s, card, "till-1", "250").json() == first.json()
    r = buy(client, s, card, "till-2", "10", redeem_points=1000)
    assert r.status_code == 409 and "redeem_points" in r.text
    r = buy(client, s, card, "till-3", "10", redeem_points=200)
    assert r.status_code == 201, r.text
    assert r.json()["points_redeemed"] == 200 and r.json()["balance"] == 250 + 10 - 200
    r = buy(client, s, card, "till-4", "10", currency="EUR")
    assert r.status_code == 422 and "currency" in r.text


@pytest.mark.parametrize("n", [6])
def test_concurrent_redemptions_never_overdraw(client, database, n):
    s = shop(client)
    member = customer(client, s)
    card = member["cards"][0]["number"]
    assert buy(client, s, card, "seed", "100").status_code == 201
    url = str(client.base_url)

    async def run() -> list[int]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=client.app),
                                     base_url=url) as c:
            return [r.status_code for r in await asyncio.gather(*[
                c.post(f"{R}/till/purchases", headers=s.cashier, json={
                    "card_number": card, "external_id": f"r-{i}", "currency": "UAH",
                    "amount": "1", "redeem_points": 60}) for i in range(n)])]

    codes = asyncio.run(run())
    assert sorted(codes).count(201) >= 1, codes
    ledger = client.get(f"{R}/members/{member['id']}/ledger", headers=s.headers).json()
    assert ledger["balance"] >= 0
    assert ledger["balance"] == sum(e["points"] for e in ledger["items"])


def test_rewards_vouchers_used_once(client):
    s = shop(client)
    member = customer(client, s)
    card = member["cards"][0]["number"]
    reward = client.post(f"{R}/programs/{s.program_id}/rewards",
                         json={"name": "Free coffee", "points_cost": 50, "stock": 1},
                         headers=s.headers).json()
    redeem = f"{R}/members/{member['id']}/redemptions"
    r = client.post(redeem, json={"reward_id": reward["id"]}, headers=s.cashier)
    assert r.status_code == 409 and "balance" in r.text
    buy(client, s, card, "earn", "120")
    r = client.post(redeem, json={"reward_id": reward["id"], "external_id": "red-1"},
                    headers=s.cashier)
    assert r.status_code == 201, r.text
    voucher = r.json()
    again = client.post(redeem, json={"reward_id": reward["id"], "external_id": "red-1"},
                        headers=s.cashier)
    assert again.json()["code"] == voucher["code"]
    r = client.post(redeem, json={"reward_id": reward["id"]}, headers=s.cashier)
    assert r.status_code == 409 and "stock" in r.text
    view = client.get(f"{R}/till/cards/{card}", headers=s.cashier).json()
    assert [v["code"] for v in view["vouchers"]] == [voucher["code"]]
    used = buy(client, s, card, "use-1", "5", voucher_code=voucher["code"])
    assert used.status_code == 201, used.text
    assert used.json()["voucher"]["state"] == "used"
    r = buy(client, s, card, "use-2", "5", voucher_code=voucher["code"])
    assert r.status_code == 409 and "already used" in r.text


def test_tiers_upgrade_at_threshold_and_adjustments(client):
    s = shop(client)
    tiers = f"{R}/programs/{s.program_id}/tiers"
    for name, threshold, mult in (("Silver", 0, "1"), ("Gold", 500, "2")):
        assert client.post(tiers, json={"name": name, "threshold": threshold,
                                        "multiplier": mult, "perks": [f"{name} perk"]},
                           headers=s.headers).status_code == 201
    member = customer(client, s)
    card = member["cards"][0]["number"]
    r = buy(client, s, card, "t-1", "100")
    assert r.json()["tier_after"] == "Silver"
    r = buy(client, s, card, "t-2", "450")
    assert (r.json()["tier_before"], r.json()["tier_after"]) == ("Silver", "Gold")
    assert buy(client, s, card, "t-3", "100").json()["points_earned"] == 200  # Gold x2
    view = client.get(f"{R}/till/cards/{card}", headers=s.cashier).json()
    assert view["tier"]["name"] == "Gold" and "Gold perk" in view["tier"]["perks"]
    hist = client.get(f"{R}/members/{member['id']}/tier-history", headers=s.headers).json()
    assert [h["to_tier"] for h in hist] == ["Gold", "Silver"]
    adj = f"{R}/members/{member['id']}/adjustments"
    assert client.post(adj, json={"points": 5, "reason": "goodwill"},
                       headers=s.cashier).status_code == 403
    r = client.post(adj, json={"points": -5000, "reason": "fraud"}, headers=s.headers)
    assert r.status_code == 409
    r = client.post(adj, json={"points": -50, "reason": "correction", "external_id": "a1"},
                    headers=s.headers)
    assert r.status_code == 201 and r.json()["points"] == -50
    client.post(adj, json={"points": -50, "reason": "correction", "external_id": "a1"},
                headers=s.headers)
    ledger = client.get(f"{R}/members/{member['id']}/ledger", headers=s.headers).json()
    assert ledger["balance"] == 100 + 450 + 200 - 50
    report = client.get(f"{R}/programs/{s.program_id}/report", headers=s.headers).json()
    assert report["issued"] == 750 and report["outstanding"] == 700
    assert report["members_per_tier"] == {"Gold": 1}
    assert report["liability"] == "5.60"  # 700 x 0.01 x 0.8


def test_returns_take_back_earned_and_give_back_redeemed(client):
    s = shop(client)
    member = customer(client, s)
    card = member["cards"][0]["number"]
    buy(client, s, card, "r-0", "100")  # 100 points to spend
    r = buy(client, s, card, "r-1", "200", redeem_points=80)
    assert r.json()["balance"] == 100 + 200 - 80
    ret = f"{R}/till/returns"
    half = client.post(ret, json={"purchase_external_id": "r-1", "return_id": "ret-1",
                                  "amount": "100"}, headers=s.cashier)
    assert half.status_code == 201, half.text
    assert (half.json()["points_reversed"], half.json()["points_given_back"]) == (100, 40)
    assert half.json()["balance"] == 220 - 100 + 40
    again = client.post(ret, json={"purchase_external_id": "r-1", "return_id": "ret-1",
                                   "amount": "100"}, headers=s.cashier)
    assert again.json() == half.json()
    too_much = client.post(ret, json={"purchase_external_id": "r-1", "return_id": "ret-2",
                                      "amount": "150"}, headers=s.cashier)
    assert too_much.status_code == 422 and "amount" in too_much.text
    assert client.post(ret, json={"purchase_external_id": "nope", "return_id": "ret-3",
                                  "amount": "1"}, headers=s.cashier).status_code == 404
    ledger = client.get(f"{R}/members/{member['id']}/ledger", headers=s.headers).json()
    assert ledger["balance"] == 160 == sum(e["points"] for e in ledger["items"])


def test_return_after_spending_claws_back_or_refuses(client):
    s = shop(client)
    member = customer(client, s)
    card = member["cards"][0]["number"]
    buy(client, s, card, "c-1", "100")
    buy(client, s, card, "c-2", "1", redeem_points=90)  # balance 11
    r = client.post(f"{R}/till/returns", json={"purchase_external_id": "c-1",
                                               "return_id": "x-1", "amount": "100"},
                    headers=s.cashier)
    assert r.status_code == 409 and "balance" in r.text
    view = client.get(f"{R}/till/cards/{card}", headers=s.cashier).json()
    assert view["balance"] == 11  # nothing was written
    r = client.post(f"{R}/till/returns", json={"purchase_external_id": "c-1",
                                               "return_id": "x-2", "amount": "10"},
                    headers=s.cashier)
    assert r.status_code == 201 and r.json()["balance"] == 1


def test_erasure_keeps_the_anonymised_ledger(client, database):
    s = shop(client)
    member = customer(client, s)
    card = member["cards"][0]["number"]
    buy(client, s, card, "e-1", "70")
    assert client.post(f"{R}/members/{member['id']}/erasure",
                       headers=s.cashier).status_code == 403
    r = client.post(f"{R}/members/{member['id']}/erasure", headers=s.headers)
    assert r.status_code == 201, r.text
    erased = r.json()
    assert erased["contact_id"] is None and erased["cards"] == [] and erased["erased_at"]
    assert client.post(f"{R}/members/{member['id']}/erasure",
                       headers=s.headers).json()["erased_at"] == erased["erased_at"]
    assert client.get(f"{R}/till/cards/{card}", headers=s.cashier).status_code == 404
    # The contact can go now; the ledger stays for the accounts.
    assert client.delete(f"/api/v1/contacts/{member['contact_id']}",
                         headers=s.headers).status_code in (200, 204)
    ledger = client.get(f"{R}/members/{member['id']}/ledger", headers=s.headers).json()
    assert ledger["balance"] == 70 and [e["kind"] for e in ledger["items"]] == ["earn"]
    report = client.get(f"{R}/programs/{s.program_id}/report", headers=s.headers).json()
    assert report["issued"] == 70
