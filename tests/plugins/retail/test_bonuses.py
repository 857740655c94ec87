"""Earning without a purchase (sign-up, referral to both sides once), gift cards that never
earn, and points held pending for the return window."""

from __future__ import annotations

from tests.plugins.retail.support import R, buy, customer, shop


def test_signup_and_referral_bonuses_once(client):
    s = shop(client, signup_bonus=100, referral_bonus=50)
    first = customer(client, s)
    assert first["balance"] == 100
    c = client.post("/api/v1/contacts", json={"given_name": "Friend"}, headers=s.headers)
    r = client.post(f"{R}/members", json={"contact_id": c.json()["id"],
                                          "program_id": s.program_id,
                                          "referred_by": first["id"]}, headers=s.cashier)
    assert r.status_code == 201, r.text
    assert r.json()["balance"] == 150
    referrer = client.get(f"{R}/members/{first['id']}", headers=s.headers).json()
    assert referrer["balance"] == 150
    r = client.post(f"{R}/members", json={"contact_id": c.json()["id"],
                                          "program_id": s.program_id}, headers=s.cashier)
    assert r.status_code == 409  # already a member: no second bonus
    bad = client.post(f"{R}/members", json={"contact_id": c.json()["id"],
                                            "program_id": s.program_id,
                                            "referred_by": s.program_id}, headers=s.cashier)
    assert bad.status_code in (409, 422)


def test_gift_cards_never_earn(client):
    s = shop(client)
    client.put(f"{R}/products", json={"sku": "GIFT-500", "category": "gift_card"},
               headers=s.headers)
    card = customer(client, s)["cards"][0]["number"]
    r = buy(client, s, card, "g-1", lines=[
        {"product": "GIFT-500", "quantity": "1", "unit_price": "500"},
        {"product": "TEA", "quantity": "1", "unit_price": "40"}])
    assert r.status_code == 201, r.text
    assert r.json()["points_earned"] == 40


def test_pending_points_cannot_be_redeemed_until_released(client, database):
    s = shop(client, pending_days=14)
    member = customer(client, s)
    card = member["cards"][0]["number"]
    buy(client, s, card, "p-1", "300")
    view = client.get(f"{R}/till/cards/{card}", headers=s.cashier).json()
    assert (view["balance"], view["pending"]) == (0, 300)
    r = buy(client, s, card, "p-2", "1", redeem_points=100)
    assert r.status_code == 409
    with database.connect_superuser() as conn:  # the return window passes
        conn.execute("UPDATE retail_ledger SET available_at = now() - interval '1 minute' "
                     "WHERE member_id = %s AND available_at IS NOT NULL", (member["id"],))
    r = buy(client, s, card, "p-3", "1", redeem_points=100)
    assert r.status_code == 201, r.text
    assert r.json()["balance"] == 200
    view = client.get(f"{R}/till/cards/{card}", headers=s.cashier).json()
    assert view["pending"] == 1  # the last purchase's own point waits its window


def test_daily_caps(client):
    s = shop(client, daily_earn_cap=150, daily_redeem_cap=100)
    card = customer(client, s)["cards"][0]["number"]
    assert buy(client, s, card, "d-1", "100").json()["points_earned"] == 100
    assert buy(client, s, card, "d-2", "100").json()["points_earned"] == 50
    assert buy(client, s, card, "d-3", "100").json()["points_earned"] == 0
    assert buy(client, s, card, "d-4", "1", redeem_points=80).status_code == 201
    r = buy(client, s, card, "d-5", "1", redeem_points=30)
    assert r.status_code == 409 and "daily cap" in r.text
    r = client.patch(f"{R}/programs/{s.program_id}", json={"daily_redeem_cap": 0},
                     headers=s.headers)
    assert r.status_code == 422 and "daily_redeem_cap" in r.text


def test_contact_merge_folds_memberships(client):
    s = shop(client, signup_bonus=10)
    tiers = f"{R}/programs/{s.program_id}/tiers"
    client.post(tiers, json={"name": "Silver", "threshold": 0}, headers=s.headers)
    client.post(tiers, json={"name": "Gold", "threshold": 200}, headers=s.headers)
    keep = customer(client, s)
    other = customer(client, s, given_name="Olena2")
    buy(client, s, keep["cards"][0]["number"], "m-1", "50")
    buy(client, s, other["cards"][0]["number"], "m-2", "250")
    r = client.post(f"/api/v1/contacts/{keep['contact_id']}/merge",
                    json={"other_id": other["contact_id"]}, headers=s.headers)
    assert r.status_code == 200, r.text
    assert client.get(f"{R}/members/{other['id']}", headers=s.headers).status_code == 404
    merged = client.get(f"{R}/members/{keep['id']}", headers=s.headers).json()
    assert merged["balance"] == 10 + 50 + 10 + 250
    assert merged["tier"] == "Gold"  # the higher tier stays
    assert {c["number"] for c in merged["cards"]} == {
        keep["cards"][0]["number"], other["cards"][0]["number"]}
    view = client.get(f"{R}/till/cards/{other['cards'][0]['number']}", headers=s.cashier)
    assert view.status_code == 200 and view.json()["member_id"] == keep["id"]
    ledger = client.get(f"{R}/members/{keep['id']}/ledger", headers=s.headers).json()
    assert sum(e["points"] for e in ledger["items"]) == merged["balance"]


def test_profile_and_newsletter_bonuses_once(client):
    s = shop(client, profile_bonus=30, newsletter_bonus=20)
    member = customer(client, s)  # no e-mail, no birthday: not complete yet
    assert member["balance"] == 0
    contact = f"/api/v1/contacts/{member['contact_id']}"
    r = client.patch(contact, json={"email": "olena@example.com", "birthday": "1990-05-05"},
                     headers=s.headers)
    assert r.status_code == 200, r.text
    client.patch(contact, json={"preferred_name": "Olenka"}, headers=s.headers)
    consent = {"channel": "email", "topic": "newsletter", "status": "opt_in",
               "source": "web form"}
    assert client.post(f"{contact}/consent", json=consent,
                       headers=s.headers).status_code == 201
    client.post(f"{contact}/consent", json={**consent, "status": "opt_out"}, headers=s.headers)
    client.post(f"{contact}/consent", json=consent, headers=s.headers)
    got = client.get(f"{R}/members/{member['id']}", headers=s.headers).json()
    assert got["balance"] == 30 + 20
