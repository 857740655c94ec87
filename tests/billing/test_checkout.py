"""Checkout -> Stripe's events -> entitlements; the portal; bad input."""

from __future__ import annotations

from tests.billing.conftest import billing, subscribe
from tests.conftest import member_token


def test_checkout_then_webhook_entitles_the_plan_and_add_on(client, tenant, stripe_fake,
                                                             post_event):
    assert client.put("/api/v1/modules/medical", headers=tenant.headers).status_code == 402
    r = client.post("/api/v1/billing/checkout", json={"plan": "team", "modules": ["medical"]},
                    headers=tenant.headers)
    assert r.status_code == 201, r.text
    session = stripe_fake.sessions[r.json()["url"].rsplit("/", 1)[1]]
    # Tax needs the address; business customers give their VAT id; first time: a trial.
    assert session["automatic_tax"] == {"enabled": "true"}
    assert session["tax_id_collection"] == {"enabled": "true"}
    assert session["billing_address_collection"] == "required"
    assert session["_subscription_data"]["trial_period_days"] == "14"
    assert session["success_url"].startswith("http://testserver/billing")
    stripe_fake.complete_checkout(session["id"])
    answers = stripe_fake.deliver(post_event)
    assert [a.status_code for a in answers] == [200] * len(answers)
    assert any(a.json()["applied"] for a in answers)
    body = billing(client, tenant)
    assert body["enabled"] is True
    assert body["plan"]["key"] == "team"
    assert body["status"] == "trialing"
    medical = next(m for m in body["modules"] if m["name"] == "medical")
    assert medical["purchased"] and medical["available"]
    retail = next(m for m in body["modules"] if m["name"] == "retail")
    assert not retail["available"]
    assert body["next_invoice"]["amount_due"] == 1200 + 2000
    assert {lim["name"]: lim["limit"] for lim in body["limits"]}["members"] == 25
    assert client.put("/api/v1/modules/medical", headers=tenant.headers).status_code == 200
    r = client.put("/api/v1/modules/retail", headers=tenant.headers)
    assert r.status_code == 402
    assert "price_retail" in r.json()["detail"]


def test_checkout_for_the_plan_already_held_is_a_conflict(client, tenant, stripe_fake,
                                                          post_event):
    subscribe(client, stripe_fake, tenant, post_event, plan="team")
    before = len(stripe_fake.sessions)
    r = client.post("/api/v1/billing/checkout", json={"plan": "team"}, headers=tenant.headers)
    assert r.status_code == 409, r.text
    assert len(stripe_fake.sessions) == before
    r = client.post("/api/v1/billing/checkout", json={"plan": "business"}, headers=tenant.headers)
    assert r.status_code == 201, r.text


def test_unknown_plan_or_module_is_refused_naming_the_field(client, tenant, stripe_fake):
    r = client.post("/api/v1/billing/checkout", json={"plan": "platinum"}, headers=tenant.headers)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "plan"
    r = client.post("/api/v1/billing/checkout", json={"plan": "team", "modules": ["nope"]},
                    headers=tenant.headers)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "modules[0]"
    r = client.post("/api/v1/billing/checkout", json={"plan": "business",
                                                      "modules": ["medical"]},
                    headers=tenant.headers)
    assert r.status_code == 422
    r = client.post("/api/v1/billing/checkout", json={"plan": 5}, headers=tenant.headers)
    assert r.status_code in (400, 422)
    # Nothing was created at Stripe for the refused requests.
    assert not stripe_fake.sessions or all(
        s["client_reference_id"] != tenant.id for s in stripe_fake.sessions.values())


def test_portal_gives_a_session_for_the_tenants_customer(client, tenant, stripe_fake):
    r = client.post("/api/v1/billing/portal", headers=tenant.headers)
    assert r.status_code == 201, r.text
    assert r.json()["url"].startswith("https://billing.stripe.com/")
    portal = list(stripe_fake.portal_sessions.values())[-1]
    customer = stripe_fake.customers[portal["customer"]]
    assert customer["metadata"]["rapport_tenant"] == tenant.id
    assert portal["return_url"] == "http://testserver/billing"


def test_only_owners_change_billing_and_admins_read_it(client, tenant, stripe_fake):
    token = member_token(client, tenant, "a@x.example.com", role="admin")
    admin = {"Authorization": f"Bearer {token}"}
    member = {"Authorization": f"Bearer {member_token(client, tenant, 'm@x.example.com')}"}
    assert client.get("/api/v1/billing", headers=admin).status_code == 200
    assert client.get("/api/v1/billing", headers=member).status_code == 403
    for headers in (admin, member):
        assert client.post("/api/v1/billing/checkout", json={"plan": "team"},
                           headers=headers).status_code == 403
        assert client.post("/api/v1/billing/portal", headers=headers).status_code == 403
        assert client.post("/api/v1/billing/addons", json={"module": "retail"}, headers=headers).status_code == 403


def test_stripe_unreachable_is_502_and_nothing_is_half_written(client, tenant, stripe_fake,
                                                               monkeypatch):
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("RAPPORT_STRIPE_API_BASE", f"http://127.0.0.1:{port}")
    r = client.post("/api/v1/billing/checkout", json={"plan": "team"}, headers=tenant.headers)
    assert r.status_code == 502, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    monkeypatch.setenv("RAPPORT_STRIPE_API_BASE", stripe_fake.url)
    assert not [c for c in stripe_fake.customers.values()
                if c["metadata"].get("rapport_tenant") == tenant.id]
    r = client.post("/api/v1/billing/checkout", json={"plan": "team"}, headers=tenant.headers)
    assert r.status_code == 201, r.text
    mine = [c for c in stripe_fake.customers.values()
            if c["metadata"].get("rapport_tenant") == tenant.id]
    assert len(mine) == 1
