"""Without a Stripe key billing is off: every installed module is available, no limits."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_stripe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAPPORT_STRIPE_SECRET_KEY", raising=False)


def test_self_hosted_billing_is_off_and_every_module_is_available(client, tenant):
    r = client.get("/api/v1/billing", headers=tenant.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["enabled"] is False
    assert body["plan"]["key"] == "self_hosted"
    assert all(m["available"] and m["included"] for m in body["modules"])
    assert {m["name"] for m in body["modules"]} >= {"medical", "retail"}
    assert all(limit["limit"] is None for limit in body["limits"])
    assert {limit["name"]: limit["used"] for limit in body["limits"]}["members"] == 1
    r = client.put("/api/v1/modules/retail", headers=tenant.headers)
    assert r.status_code == 200, r.text


def test_self_hosted_checkout_and_portal_say_billing_is_off(client, tenant):
    r = client.post("/api/v1/billing/checkout", json={"plan": "team"}, headers=tenant.headers)
    assert r.status_code == 409
    assert "self-hosted" in r.json()["detail"]
    assert client.post("/api/v1/billing/portal", headers=tenant.headers).status_code == 409


def test_self_hosted_webhook_is_not_there(client):
    r = client.post("/api/v1/billing/stripe/webhook", content=b"{}",
                    headers={"Stripe-Signature": "t=1,v1=x"})
    assert r.status_code == 404
