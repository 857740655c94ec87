"""The console's plan and usage page: upgrade buttons to Checkout, the portal link, the
past-due banner, in the member's language."""

from __future__ import annotations

from tests.billing.conftest import subscribe
from tests.console.support import sign_in


def test_self_hosted_page_says_billing_is_off(client, tenant, monkeypatch):
    monkeypatch.delenv("RAPPORT_STRIPE_SECRET_KEY", raising=False)
    sign_in(client, tenant)
    r = client.get("/billing")
    assert r.status_code == 200, r.text
    assert "Billing is off on this installation" in r.text
    assert "/billing/checkout" not in r.text
    assert 'href="/billing"' in client.get("/").text


def test_upgrade_goes_to_checkout_and_portal_link(client, tenant, stripe_fake, post_event):
    csrf = sign_in(client, tenant)
    page = client.get("/billing")
    assert "Upgrade to Team" in page.text and "Upgrade to Business" in page.text
    r = client.post("/billing/checkout", data={"_csrf": csrf, "plan": "team"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("https://checkout.stripe.com/")
    r = client.post("/billing/checkout", data={"_csrf": csrf, "plan": "gold"},
                    follow_redirects=False)
    assert r.status_code == 422 and "plan" in r.text
    r = client.post("/billing/portal", data={"_csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("https://billing.stripe.com/")
    done = client.get("/billing?checkout=success")
    assert "the subscription starts as soon as Stripe confirms" in done.text


def test_past_due_banner_in_ukrainian(client, tenant, stripe_fake, post_event):
    client.cookies.clear()
    sub = subscribe(client, stripe_fake, tenant, post_event, plan="team")
    stripe_fake.renew(sub["id"])
    stripe_fake.set_card(sub["customer"], "decline")
    stripe_fake.renew(sub["id"])
    stripe_fake.deliver(post_event)
    sign_in(client, tenant)
    r = client.get("/billing", headers={"Accept-Language": "uk"})
    assert r.status_code == 200
    assert 'id="past-due"' in r.text
    assert "Оплату прострочено" in r.text or "Payment is overdue" in r.text


def test_marketplace_marks_add_ons_to_buy_and_explains_a_refusal(client, tenant, stripe_fake):
    csrf = sign_in(client, tenant)
    page = client.get("/settings/modules")
    assert page.status_code == 200
    assert page.text.count("A paid add-on, not in your plan.") >= 4
    r = client.post("/settings/modules/medical/enable", data={"_csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 402
    assert "price_medical" in r.text
    assert 'id="module-medical"' in r.text  # the marketplace again, the card explaining


def test_marketplace_in_self_hosted_mode_offers_everything(client, tenant, monkeypatch):
    monkeypatch.delenv("RAPPORT_STRIPE_SECRET_KEY", raising=False)
    sign_in(client, tenant)
    page = client.get("/settings/modules")
    assert "A paid add-on" not in page.text
