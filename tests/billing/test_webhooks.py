"""Stripe's webhook: signatures, repeats, order of arrival, unknown customers, dunning."""

from __future__ import annotations

import json
import time

from tests.billing.conftest import WEBHOOK, billing, subscribe


def _post(client, body: bytes, signature: str):
    return client.post(WEBHOOK, content=body, headers={"Stripe-Signature": signature})


def test_wrong_signature_or_stale_timestamp_is_400_and_changes_nothing(client, tenant,
                                                                       stripe_fake, post_event):
    r = client.post("/api/v1/billing/checkout", json={"plan": "team"}, headers=tenant.headers)
    stripe_fake.complete_checkout(r.json()["url"].rsplit("/", 1)[1])
    events = stripe_fake.take()
    body = json.dumps(events[0]).encode()
    wrong = stripe_fake.sign(body, secret="whsec_somebody_else")
    r = _post(client, body, wrong)
    assert r.status_code == 400, r.text
    assert "signature" in r.json()["detail"].lower()
    stale = stripe_fake.sign(body, timestamp=int(time.time()) - 301)
    assert _post(client, body, stale).status_code == 400
    assert _post(client, body + b" ", stripe_fake.sign(body)).status_code == 400
    assert client.post(WEBHOOK, content=body).status_code == 400
    assert billing(client, tenant)["plan"]["key"] == "free"
    # Delivered properly, the same events take effect.
    stripe_fake.deliver(post_event, events)
    assert billing(client, tenant)["plan"]["key"] == "team"


def test_the_same_event_twice_has_one_effect(client, tenant, stripe_fake, post_event):
    r = client.post("/api/v1/billing/checkout", json={"plan": "team"}, headers=tenant.headers)
    stripe_fake.complete_checkout(r.json()["url"].rsplit("/", 1)[1])
    events = stripe_fake.take()
    first = stripe_fake.deliver(post_event, events)
    again = stripe_fake.deliver(post_event, events)
    assert all(a.json()["applied"] for a in first)
    assert [a.status_code for a in again] == [200] * len(events)
    assert not any(a.json()["applied"] for a in again)
    calls = len(stripe_fake.requests)
    stripe_fake.deliver(post_event, events)
    assert len(stripe_fake.requests) == calls  # a repeat does not even ask Stripe


def test_unknown_customer_is_logged_answered_200_and_changes_nothing(client, stripe_fake,
                                                                    post_event):
    event = {"id": "evt_unknown_1", "object": "event", "type": "customer.subscription.updated",
             "created": int(time.time()), "livemode": False,
             "data": {"object": {"id": "sub_x", "object": "subscription",
                                 "customer": "cus_nobody", "status": "active"}}}
    [answer] = stripe_fake.deliver(post_event, [event])
    assert answer.status_code == 200
    assert answer.json() == {"received": True, "applied": False}


def test_deleted_before_updated_ends_in_the_right_state(client, tenant, stripe_fake,
                                                        post_event):
    sub = subscribe(client, stripe_fake, tenant, post_event, plan="team")
    stripe_fake.renew(sub["id"])           # trial over: active, paid
    stripe_fake.cancel(sub["id"])          # then cancelled
    events = stripe_fake.take()
    # Stripe delivers the deletion first and the older update after it.
    stripe_fake.deliver(post_event, list(reversed(events)))
    body = billing(client, tenant)
    assert body["status"] == "canceled"
    assert body["plan"]["key"] == "free"


def test_a_late_past_due_of_a_replaced_subscription_does_not_suspend_a_paying_tenant(
        client, tenant, stripe_fake, post_event):
    old = subscribe(client, stripe_fake, tenant, post_event, plan="team")
    stripe_fake.renew(old["id"])
    stripe_fake.take()
    stripe_fake.set_card(old["customer"], "decline")
    stripe_fake.renew(old["id"])           # the old one falls past due…
    late = stripe_fake.take()
    stripe_fake.set_card(old["customer"], "ok")
    new = subscribe(client, stripe_fake, tenant, post_event, plan="business")
    stripe_fake.deliver(post_event, late)  # …and its events arrive after the new one's
    body = billing(client, tenant)
    assert new["status"] == "trialing" or new["status"] == "active"
    assert body["plan"]["key"] == "business"
    assert body["status"] in ("active", "trialing")
    assert body["read_only"] is False and body["past_due"] is False


def test_payment_failure_notifies_owners_then_grace_then_read_only(
        client, tenant, stripe_fake, post_event, monkeypatch):
    sub = subscribe(client, stripe_fake, tenant, post_event, plan="team", modules=("medical",))
    stripe_fake.renew(sub["id"])
    stripe_fake.deliver(post_event)
    assert client.put("/api/v1/modules/medical", headers=tenant.headers).status_code == 200
    stripe_fake.set_card(sub["customer"], "decline")
    stripe_fake.renew(sub["id"])
    stripe_fake.deliver(post_event)
    body = billing(client, tenant)
    assert body["status"] == "past_due" and body["past_due"] is True
    assert body["read_only"] is False and body["grace_ends_at"] is not None
    medical = next(m for m in body["modules"] if m["name"] == "medical")
    assert medical["available"] and not medical["read_only"]
    notes = client.get("/api/v1/notifications", headers=tenant.headers).json()["items"]
    assert any(n["kind"] == "billing.payment_failed" for n in notes)
    # The grace period over: paid modules read-only, their data kept.
    monkeypatch.setenv("RAPPORT_BILLING_GRACE_DAYS", "0")
    body = billing(client, tenant)
    assert body["read_only"] is True
    medical = next(m for m in body["modules"] if m["name"] == "medical")
    assert medical["read_only"] and not medical["available"]
    r = client.get("/api/v1/modules", headers=tenant.headers)
    assert next(m for m in r.json()["items"] if m["name"] == "medical")["enabled"] is True


def test_paying_an_unpaid_subscription_reactivates_it_and_finalises_drafts(
        client, tenant, stripe_fake, post_event):
    sub = subscribe(client, stripe_fake, tenant, post_event, plan="team")
    stripe_fake.renew(sub["id"])
    stripe_fake.set_card(sub["customer"], "decline")
    stripe_fake.renew(sub["id"])
    stripe_fake.exhaust_retries(sub["id"])
    draft = stripe_fake.renew(sub["id"])  # unpaid: Stripe leaves the next invoice a draft
    stripe_fake.deliver(post_event)
    body = billing(client, tenant)
    assert body["status"] == "unpaid" and body["read_only"] is True
    [open_invoice] = stripe_fake.open_invoices(sub["id"])
    stripe_fake.pay_invoice(open_invoice["id"])
    stripe_fake.deliver(post_event)       # invoice.paid: the app finalises the draft…
    assert stripe_fake.invoices[draft["id"]]["status"] == "paid"
    stripe_fake.deliver(post_event)       # …whose payment Stripe reports in turn
    body = billing(client, tenant)
    assert body["status"] == "active"
    assert body["read_only"] is False and body["past_due"] is False
