"""The loyalty manager's program screens over HTTP: a program created and edited from the
console (the API sees the change), tiers and rewards added, edited, removed and retired,
refusals shown beside the field with nothing written, and a cashier refused."""

from __future__ import annotations

from tests.console.support import sign_in
from tests.plugins.retail.support import R, buy, customer, shop

PROGRAM = {"name": "Friends", "currency": "uah", "points_per_unit": "2", "min_purchase": "10",
           "rounding": "nearest", "expiry_months": "6", "tier_period": "rolling_12_months",
           "pending_days": "14", "return_rule": "negative", "downgrade": "one_step",
           "value_per_point": "0.05", "expected_redemption_rate": "0.7",
           "time_zone": "Europe/Kyiv"}


def _programs(client, s):
    return {p["name"]: p for p in client.get(f"{R}/programs", headers=s.headers).json()}


def test_create_and_edit_a_program(client):
    s = shop(client)
    csrf = sign_in(client, s.tenant)
    page = client.get("/apps/retail/programs/new")
    assert page.status_code == 200 and 'name="points_per_unit"' in page.text
    uk = client.get("/apps/retail/programs/new", headers={"Accept-Language": "uk"}).text
    assert "Нова програма лояльності" in uk and "до найближчого" in uk

    bad = client.post("/apps/retail/programs/new",
                      data={"_csrf": csrf, **PROGRAM, "expected_redemption_rate": "3"})
    assert bad.status_code == 422
    assert 'id="program-expected_redemption_rate-error"' in bad.text
    assert 'value="Friends"' in bad.text  # what was typed is kept
    clash = client.post("/apps/retail/programs/new", data={"_csrf": csrf, **PROGRAM,
                                                           "name": "Club"})
    assert clash.status_code == 409 and 'id="program-name-error"' in clash.text
    assert set(_programs(client, s)) == {"Club"}  # the refusals wrote nothing

    made = client.post("/apps/retail/programs/new", data={"_csrf": csrf, **PROGRAM},
                       follow_redirects=False)
    assert made.status_code == 303, made.text
    created = _programs(client, s)["Friends"]
    assert made.headers["location"] == f"/apps/retail/programs/{created['id']}"
    assert (created["currency"], created["points_per_unit"], created["rounding"],
            created["expiry_months"], created["pending_days"], created["return_rule"]) == (
        "UAH", "2", "nearest", 6, 14, "negative")

    url = f"/apps/retail/programs/{created['id']}"
    assert "Europe/Kyiv" in client.get(url).text
    edit = {**PROGRAM, "name": "Friends+", "points_per_unit": "3", "downgrade": "supported"}
    refused = client.post(url, data={"_csrf": csrf, **edit, "time_zone": "Mars/Base"})
    assert refused.status_code == 422 and 'id="program-time_zone-error"' in refused.text
    assert "Friends+" not in _programs(client, s)
    saved = client.post(url, data={"_csrf": csrf, **edit}, follow_redirects=False)
    assert saved.status_code == 303
    after = _programs(client, s)["Friends+"]
    assert (after["points_per_unit"], after["downgrade"]) == ("3", "supported")


def test_tiers_and_rewards(client):
    s = shop(client)
    csrf = sign_in(client, s.tenant)
    base = f"/apps/retail/programs/{s.program_id}"
    r = client.post(f"{base}/tiers", data={"_csrf": csrf, "name": "Gold", "threshold": "1000",
                                           "multiplier": "1.5", "perks": "Free coffee\nLounge"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    bad = client.post(f"{base}/tiers", data={"_csrf": csrf, "name": "Silver",
                                             "threshold": "-5"})
    assert bad.status_code == 422 and 'id="tier-new-threshold-error"' in bad.text
    tiers = client.get(f"{R}/programs/{s.program_id}/tiers", headers=s.headers).json()
    assert [(t["name"], t["perks"]) for t in tiers] == [("Gold", ["Free coffee", "Lounge"])]
    gold = tiers[0]["id"]
    client.post(f"{base}/tiers/{gold}", data={"_csrf": csrf, "name": "Gold",
                                              "threshold": "800", "multiplier": "2",
                                              "perks": "Lounge"})
    tiers = client.get(f"{R}/programs/{s.program_id}/tiers", headers=s.headers).json()
    assert (tiers[0]["threshold"], tiers[0]["multiplier"], tiers[0]["perks"]) == (
        800, "2", ["Lounge"])
    assert client.post(f"{base}/tiers/{gold}/remove", data={"_csrf": csrf},
                       follow_redirects=False).status_code == 303
    assert client.get(f"{R}/programs/{s.program_id}/tiers", headers=s.headers).json() == []

    client.post(f"{base}/rewards", data={"_csrf": csrf, "name": "Mug", "points_cost": "300",
                                         "stock": "", "valid_days": "30"})
    rewards = client.get(f"{R}/programs/{s.program_id}/rewards", headers=s.headers).json()
    mug = rewards[0]["id"]
    bad = client.post(f"{base}/rewards/{mug}", data={"_csrf": csrf, "name": "Mug",
                                                     "points_cost": "0"})
    assert bad.status_code == 422 and f'id="reward-{mug}-points_cost-error"' in bad.text
    client.post(f"{base}/rewards/{mug}", data={"_csrf": csrf, "name": "Big mug",
                                               "points_cost": "400", "stock": "10"})
    client.post(f"{base}/rewards/{mug}/retire", data={"_csrf": csrf})
    rewards = client.get(f"{R}/programs/{s.program_id}/rewards", headers=s.headers).json()
    assert [(x["name"], x["points_cost"], x["stock"], x["active"]) for x in rewards] == [
        ("Big mug", 400, 10, False)]


def test_a_held_tier_is_not_removed_and_a_cashier_sees_no_forms(client):
    s = shop(client)
    tier = client.post(f"{R}/programs/{s.program_id}/tiers", headers=s.headers,
                       json={"name": "Base", "threshold": 10}).json()
    card = customer(client, s)["cards"][0]["number"]
    assert buy(client, s, card, "c-1", "50").status_code == 201
    csrf = sign_in(client, s.tenant)
    base = f"/apps/retail/programs/{s.program_id}"
    held = client.post(f"{base}/tiers/{tier['id']}/remove", data={"_csrf": csrf})
    assert held.status_code == 409 and "Members hold this tier" in held.text
    assert len(client.get(f"{R}/programs/{s.program_id}/tiers", headers=s.headers).json()) == 1

    client.cookies.clear()
    csrf = sign_in(client, s.tenant, email=f"till-{s.tenant.slug}@example.com",
                   password="cashier password 1")
    assert client.get(base).status_code == 403
    assert client.get("/apps/retail/programs/new").status_code == 403
    assert "/apps/retail/programs" not in client.get("/apps/retail/").text
    r = client.post("/apps/retail/programs/new", data={"_csrf": csrf, **PROGRAM})
    assert r.status_code == 403
    assert set(_programs(client, s)) == {"Club"}


def test_earning_rules(client):
    s = shop(client, time_zone="Europe/Kyiv")
    csrf = sign_in(client, s.tenant)
    base = f"/apps/retail/programs/{s.program_id}"
    both = client.post(f"{base}/rules", data={"_csrf": csrf, "name": "Coffee", "multiplier": "2",
                                              "sku": "C-1", "category": "drinks"})
    assert both.status_code == 422 and 'id="rule-new-category-error"' in both.text
    r = client.post(f"{base}/rules", data={"_csrf": csrf, "name": "Winter", "multiplier": "3",
                                           "category": "drinks", "starts_at": "2026-12-01",
                                           "ends_at": "2026-12-31"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    rules = client.get(f"{R}/programs/{s.program_id}/rules", headers=s.headers).json()
    assert [(x["name"], x["multiplier"], x["category"]) for x in rules] == [
        ("Winter", "3", "drinks")]
    assert rules[0]["starts_at"].startswith("2026-11-30T22:00")  # midnight in Kyiv
    assert rules[0]["ends_at"].startswith("2026-12-31T22:00")  # through the last day
    page = client.get(base, headers={"Accept-Language": "en"}).text
    assert "Dec 31, 2026" in page and "Jan 1, 2027" not in page
    client.post(f"{base}/rules/{rules[0]['id']}/remove", data={"_csrf": csrf})
    assert client.get(f"{R}/programs/{s.program_id}/rules", headers=s.headers).json() == []


def test_another_tenants_program_is_not_found(client):
    s, other = shop(client), shop(client)
    tier = client.post(f"{R}/programs/{s.program_id}/tiers", headers=s.headers,
                       json={"name": "Gold", "threshold": 100}).json()
    csrf = sign_in(client, other.tenant)
    base = f"/apps/retail/programs/{s.program_id}"
    assert client.get(base).status_code == 404
    assert client.post(base, data={"_csrf": csrf, "name": "Taken"}).status_code == 404
    assert client.post(f"{base}/tiers/{tier['id']}/remove",
                       data={"_csrf": csrf}).status_code == 404
    assert client.post(f"{base}/rewards", data={"_csrf": csrf, "name": "Mug",
                                                "points_cost": "5"}).status_code == 404
    assert set(_programs(client, s)) == {"Club"}
    assert len(client.get(f"{R}/programs/{s.program_id}/tiers", headers=s.headers).json()) == 1
    assert client.get(f"{R}/programs/{s.program_id}/rewards", headers=s.headers).json() == []


def test_daily_caps_per_card_on_the_program_screen(client):
    s = shop(client)
    csrf = sign_in(client, s.tenant)
    url = f"/apps/retail/programs/{s.program_id}"
    uk = client.get(url, headers={"Accept-Language": "uk"}).text
    assert "Денна межа нарахування на картку" in uk and 'name="daily_redeem_cap"' in uk
    edit = {**PROGRAM, "name": "Club"}
    bad = client.post(url, data={"_csrf": csrf, **edit, "daily_earn_cap": "0"})
    assert bad.status_code == 422 and 'id="program-daily_earn_cap-error"' in bad.text
    assert _programs(client, s)["Club"]["daily_earn_cap"] is None  # nothing written
    saved = client.post(url, data={"_csrf": csrf, **edit, "daily_earn_cap": "500",
                                   "daily_redeem_cap": "200"}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    club = _programs(client, s)["Club"]
    assert (club["daily_earn_cap"], club["daily_redeem_cap"]) == (500, 200)
    assert 'value="500"' in client.get(url).text
