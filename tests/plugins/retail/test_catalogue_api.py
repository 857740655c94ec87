"""Tiers and rewards through the API: PATCH changes only what is sent, DELETE removes a tier
nobody holds and retires a reward; refusals are 409/422 naming the problem, nothing
written; cashiers may not."""

from __future__ import annotations

from tests.plugins.retail.support import R, buy, customer, shop


def test_tiers_change_partially_and_go_only_when_nobody_holds_them(client):
    s = shop(client)
    tiers = f"{R}/programs/{s.program_id}/tiers"
    silver = client.post(tiers, json={"name": "Silver", "threshold": 0},
                         headers=s.headers).json()
    gold = client.post(tiers, json={"name": "Gold", "threshold": 500, "multiplier": "1.5",
                                    "perks": ["Free delivery"]}, headers=s.headers).json()
    r = client.patch(f"{tiers}/{gold['id']}", json={"threshold": 400}, headers=s.headers)
    assert r.status_code == 200, r.text
    assert r.json() | {"threshold": 0} == gold | {"threshold": 0}
    assert r.json()["threshold"] == 400
    r = client.patch(f"{tiers}/{gold['id']}", json={"perks": []}, headers=s.headers)
    assert r.json()["perks"] == [] and r.json()["multiplier"] == "1.5"
    # Refusals: the name of another tier, a bad multiplier, null for a required field,
    # an unknown field, a cashier — and nothing changed.
    for body, status, word in (({"name": "Silver"}, 409, "name"),
                               ({"multiplier": "0"}, 422, "multiplier"),
                               ({"name": None}, 422, "name"),
                               ({"colour": "gold"}, 422, "colour")):
        r = client.patch(f"{tiers}/{gold['id']}", json=body, headers=s.headers)
        assert r.status_code == status and word in r.text, (body, r.text)
    assert client.patch(f"{tiers}/{gold['id']}", json={"threshold": 1},
                        headers=s.cashier).status_code == 403
    listed = {t["name"]: t for t in client.get(tiers, headers=s.headers).json()}
    assert listed["Gold"]["threshold"] == 400 and listed["Gold"]["multiplier"] == "1.5"
    # Silver is held once someone earns: it stays; Gold is removed.
    buy(client, s, customer(client, s)["cards"][0]["number"], "t-1", "10")
    r = client.delete(f"{tiers}/{silver['id']}", headers=s.headers)
    assert r.status_code == 409 and "hold" in r.text
    assert client.delete(f"{tiers}/{gold['id']}", headers=s.cashier).status_code == 403
    assert client.delete(f"{tiers}/{gold['id']}", headers=s.headers).status_code == 204
    assert client.delete(f"{tiers}/{gold['id']}", headers=s.headers).status_code == 404
    assert [t["name"] for t in client.get(tiers, headers=s.headers).json()] == ["Silver"]
    other = shop(client)
    assert client.patch(f"{R}/programs/{other.program_id}/tiers/{silver['id']}",
                        json={"threshold": 1}, headers=other.headers).status_code == 404


def test_rewards_change_partially_and_retire(client):
    s = shop(client)
    rewards = f"{R}/programs/{s.program_id}/rewards"
    coffee = client.post(rewards, json={"name": "Coffee", "points_cost": 50, "stock": 3},
                         headers=s.headers).json()
    r = client.patch(f"{rewards}/{coffee['id']}", json={"stock": None, "valid_days": 7},
                     headers=s.headers)
    assert r.status_code == 200, r.text
    assert r.json() == coffee | {"stock": None, "valid_days": 7}
    for body, word in (({"points_cost": 0}, "points_cost"), ({"name": None}, "name"),
                       ({"valid_days": 5000}, "valid_days")):
        r = client.patch(f"{rewards}/{coffee['id']}", json=body, headers=s.headers)
        assert r.status_code == 422 and word in r.text, (body, r.text)
    assert client.delete(f"{rewards}/{coffee['id']}", headers=s.cashier).status_code == 403
    assert client.delete(f"{rewards}/{coffee['id']}", headers=s.headers).status_code == 204
    assert client.delete(f"{rewards}/{coffee['id']}", headers=s.headers).status_code == 204
    [listed] = client.get(rewards, headers=s.headers).json()
    assert listed == coffee | {"stock": None, "valid_days": 7, "active": False}
    member = customer(client, s)
    buy(client, s, member["cards"][0]["number"], "r-1", "100")
    r = client.post(f"{R}/members/{member['id']}/redemptions",
                    json={"reward_id": coffee["id"]}, headers=s.cashier)
    assert r.status_code == 409 and "no longer offered" in r.text
    other = shop(client)
    assert client.delete(f"{R}/programs/{other.program_id}/rewards/{coffee['id']}",
                         headers=other.headers).status_code == 404
