"""Module add-ons as subscription items, seats, and the plan's member limit."""

from __future__ import annotations

from tests.billing.conftest import billing, subscribe
from tests.conftest import add_member


def _addon(client, t, module):
    return client.post("/api/v1/billing/addons", json={"module": module}, headers=t.headers)


def _module(body, name):
    return next(m for m in body["modules"] if m["name"] == name)


def test_adding_an_add_on_entitles_it_and_removing_keeps_it_until_period_end(
        client, tenant, stripe_fake, post_event):
    sub = subscribe(client, stripe_fake, tenant, post_event, plan="team")
    assert client.put("/api/v1/modules/retail", headers=tenant.headers).status_code == 402
    r = _addon(client, tenant, "retail")
    assert r.status_code == 200, r.text
    assert r.json() == {"module": "retail", "state": "active"}
    prices = [i["price"]["id"] for i in stripe_fake.subscriptions[sub["id"]]["items"]["data"]]
    assert stripe_fake.catalogue["price_retail"] in prices
    assert client.put("/api/v1/modules/retail", headers=tenant.headers).status_code == 200
    assert _addon(client, tenant, "retail").status_code == 409
    r = client.delete("/api/v1/billing/addons", params={"module": "retail"},
                      headers=tenant.headers)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "ends_at_period_end"
    # Paid until the period ends: still entitled, the item still there.
    assert _module(billing(client, tenant), "retail")["available"]
    items = stripe_fake.subscriptions[sub["id"]]["items"]["data"]
    [retail] = [i for i in items if i["price"]["id"] == stripe_fake.catalogue["price_retail"]]
    assert retail["metadata"]["rapport_ends_at"]
    # The period ends; the next convergence removes the item without a refund.
    stripe_fake.renew(sub["id"])
    retail["metadata"]["rapport_ends_at"] = "1"
    stripe_fake.deliver(post_event)
    items = stripe_fake.subscriptions[sub["id"]]["items"]["data"]
    assert stripe_fake.catalogue["price_retail"] not in [i["price"]["id"] for i in items]
    assert not _module(billing(client, tenant), "retail")["purchased"]


def test_an_add_on_whose_card_needs_authentication_waits_for_its_invoice(
        client, tenant, stripe_fake, post_event):
    sub = subscribe(client, stripe_fake, tenant, post_event, plan="team")
    stripe_fake.set_card(sub["customer"], "authenticate")
    r = _addon(client, tenant, "education")
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "pending"
    stripe_fake.deliver(post_event)  # invoice.payment_action_required
    assert client.put("/api/v1/modules/education", headers=tenant.headers).status_code == 402
    notes = client.get("/api/v1/notifications", headers=tenant.headers).json()["items"]
    assert any(n["kind"] == "billing.payment_action_required" for n in notes)
    [invoice] = stripe_fake.open_invoices(sub["id"])
    stripe_fake.pay_invoice(invoice["id"])  # the owner confirms with their bank
    stripe_fake.deliver(post_event)
    assert _module(billing(client, tenant), "education")["purchased"]
    assert client.put("/api/v1/modules/education", headers=tenant.headers).status_code == 200


def test_add_on_bad_input(client, tenant, stripe_fake, post_event):
    assert _addon(client, tenant, "nope").status_code == 404
    assert _addon(client, tenant, "retail").status_code == 409  # no subscription yet
    r = client.post("/api/v1/billing/addons", json={"module": "retail", "x": 1},
                    headers=tenant.headers)
    assert r.status_code in (400, 422)
    subscribe(client, stripe_fake, tenant, post_event, plan="business")
    r = _addon(client, tenant, "retail")
    assert r.status_code == 409 and "includes" in r.json()["detail"]
    r = client.delete("/api/v1/billing/addons", params={"module": "medical"},
                      headers=tenant.headers)
    assert r.status_code == 409


def test_free_plan_member_limit_is_402_naming_the_limit(client, tenant, stripe_fake):
    add_member(client, tenant, "one@limit.example.com")
    add_member(client, tenant, "two@limit.example.com")
    r = client.post("/api/v1/members", json={"email": "three@limit.example.com",
                                             "full_name": "Three", "role": "member"},
                    headers=tenant.headers)
    assert r.status_code == 402, r.text
    assert "allows 3 members" in r.json()["detail"]
    members = client.get("/api/v1/members", headers=tenant.headers).json()["items"]
    assert "three@limit.example.com" not in [m["email"] for m in members]
    body = billing(client, tenant)
    assert {lim["name"]: (lim["used"], lim["limit"]) for lim in body["limits"]}["members"] == (3, 3)


def test_seats_follow_the_member_count(client, tenant, stripe_fake, post_event):
    sub = subscribe(client, stripe_fake, tenant, post_event, plan="team")
    [seat] = stripe_fake.subscriptions[sub["id"]]["items"]["data"]
    assert seat["quantity"] == 1
    add_member(client, tenant, "seat@seats.example.com")
    assert seat["quantity"] == 2
    members = client.get("/api/v1/members", headers=tenant.headers).json()["items"]
    leaving = next(m for m in members if m["email"] == "seat@seats.example.com")
    r = client.delete(f"/api/v1/members/{leaving['id']}", headers=tenant.headers)
    assert r.status_code == 204, r.text
    assert seat["quantity"] == 1
    # Convergence agrees (it would correct a count Stripe missed during an outage).
    stripe_fake.renew(sub["id"])
    stripe_fake.deliver(post_event)
    assert seat["quantity"] == 1
