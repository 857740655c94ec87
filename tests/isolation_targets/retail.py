"""Retail endpoints: programs (rules, tiers, rewards, report), members (ledger,
adjustments, redemptions, tier history), cards (block, replace) and the till's card view.
The attacker enables retail too, so a 404 means "not yours", not "module off"."""

from __future__ import annotations

from tests.conftest import TenantHandle
from tests.isolation_targets import Target

MODULES = ("retail",)
R = "/api/v1/retail"


def _program(client, t: TenantHandle) -> dict[str, str]:
    r = client.post(f"{R}/programs", json={"name": "Victim club", "currency": "UAH"},
                    headers=t.headers)
    assert r.status_code == 201, r.text
    return {"program_id": r.json()["id"]}


def _rule(client, t: TenantHandle) -> dict[str, str]:
    ids = _program(client, t)
    r = client.post(f"{R}/programs/{ids['program_id']}/rules",
                    json={"name": "x2", "multiplier": "2"}, headers=t.headers)
    assert r.status_code == 201, r.text
    return {**ids, "rule_id": r.json()["id"]}


def _tier(client, t: TenantHandle) -> dict[str, str]:
    ids = _program(client, t)
    r = client.post(f"{R}/programs/{ids['program_id']}/tiers",
                    json={"name": "Gold", "threshold": 100}, headers=t.headers)
    assert r.status_code == 201, r.text
    return {**ids, "tier_id": r.json()["id"]}


def _reward(client, t: TenantHandle) -> dict[str, str]:
    ids = _program(client, t)
    r = client.post(f"{R}/programs/{ids['program_id']}/rewards",
                    json={"name": "Gift", "points_cost": 10}, headers=t.headers)
    assert r.status_code == 201, r.text
    return {**ids, "reward_id": r.json()["id"]}


def _member(client, t: TenantHandle) -> dict[str, str]:
    ids = _program(client, t)
    contact = client.post("/api/v1/contacts", json={"given_name": "Victim"}, headers=t.headers)
    r = client.post(f"{R}/members", json={"contact_id": contact.json()["id"],
                                          "program_id": ids["program_id"]}, headers=t.headers)
    assert r.status_code == 201, r.text
    reward = client.post(f"{R}/programs/{ids['program_id']}/rewards",
                         json={"name": "Gift", "points_cost": 1}, headers=t.headers)
    return {**ids, "member_id": r.json()["id"], "number": r.json()["cards"][0]["number"],
            "reward_id": reward.json()["id"]}


def _redemption(client, t: TenantHandle) -> dict[str, str]:
    return _member(client, t)


P = R + "/programs/{program_id}"
M = R + "/members/{member_id}"
TARGETS: dict[str, Target] = {
    P: Target(_program, {"GET": None, "PATCH": {"name": "HIJACK"}}, MODULES),
    P + "/rules": Target(_program, {"GET": None, "POST": {"name": "x", "multiplier": "9"}},
                         MODULES),
    P + "/rules/{rule_id}": Target(_rule, {"PATCH": {"multiplier": "9"}, "DELETE": None},
                                   MODULES),
    P + "/tiers": Target(_program, {"GET": None, "POST": {"name": "Gold", "threshold": 1}},
                         MODULES),
    P + "/tiers/{tier_id}": Target(_tier, {"PATCH": {"threshold": 1}, "DELETE": None},
                                   MODULES),
    P + "/rewards/{reward_id}": Target(_reward, {"PATCH": {"points_cost": 1},
                                                 "DELETE": None}, MODULES),
    P + "/rewards": Target(_program, {"GET": None, "POST": {"name": "x", "points_cost": 1}},
                           MODULES),
    P + "/report": Target(_program, {"GET": None}, MODULES),
    P + "/card-stock": Target(_program, {"GET": None, "POST": {
        "first": "6000000000000007", "count": 10}}, MODULES),
    M: Target(_member, {"GET": None}, MODULES),
    M + "/ledger": Target(_member, {"GET": None}, MODULES),
    M + "/tier-history": Target(_member, {"GET": None}, MODULES),
    M + "/erasure": Target(_member, {"POST": None}, MODULES),
    M + "/cards": Target(_member, {"POST": {}}, MODULES),
    M + "/adjustments": Target(_member, {"POST": {"points": 5, "reason": "steal"}}, MODULES),
    M + "/redemptions": Target(_member, {"POST": {
        "reward_id": "00000000-0000-0000-0000-000000000000"}}, MODULES),
    R + "/cards/{number}/block": Target(_member, {"POST": {"state": "blocked"}}, MODULES),
    R + "/cards/{number}/replace": Target(_member, {"POST": {}}, MODULES),
    R + "/till/cards/{number}": Target(_member, {"GET": None}, MODULES),
}
