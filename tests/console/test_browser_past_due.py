"""The past-due banner on every console page, in a real headless Chromium: an owner whose
payment failed sees it on the home page with a button to the billing portal (which opens
Stripe's portal); a member never sees it. The app's ``stripe`` talks to the fake Stripe of
tests/billing on loopback."""

from __future__ import annotations

import secrets

import httpx
from playwright.sync_api import expect

from tests.billing.conftest import WEBHOOK, _server, stripe_fake, subscribe  # noqa: F401
from tests.browser import sign_in_page
from tests.conftest import add_member, sign_up


def _sign_in(page, base: str, slug: str, email: str, password: str) -> None:
    sign_in_page(page, base, slug, email, password)


def test_owner_sees_the_past_due_banner_everywhere_and_reaches_the_portal(
        tab, browser, live_server, stripe_fake):  # noqa: F811
    api = httpx.Client(base_url=live_server, timeout=60)

    def post_event(body: bytes, signature: str) -> httpx.Response:
        return api.post(WEBHOOK, content=body, headers={
            "Stripe-Signature": signature, "Content-Type": "application/json"})

    t = sign_up(api)
    email = f"member-{secrets.token_hex(3)}@example.com"
    add_member(api, t, email, password="member long password")
    sub = subscribe(api, stripe_fake, t, post_event, plan="team")
    stripe_fake.renew(sub["id"])                      # the trial ends, paid
    stripe_fake.set_card(sub["customer"], "decline")
    stripe_fake.renew(sub["id"])                      # the next renewal fails: past due
    stripe_fake.deliver(post_event)
    assert api.get("/api/v1/billing", headers=t.headers).json()["past_due"] is True

    page = tab.page
    _sign_in(page, live_server, t.slug, t.owner_email, t.owner_password)
    banner = page.locator("#past-due-banner")
    expect(banner).to_contain_text("Payment is overdue")
    page.goto(f"{live_server}/contacts")
    expect(banner).to_be_visible()
    # The button opens Stripe's Customer Portal: the session the fake made, at Stripe's
    # address, allowed by the CSP's form-action (the redirect goes no further: no network).
    portal = "https://billing.stripe.com/p/session/"
    with page.expect_request(lambda r: r.url.startswith(portal)):
        banner.locator("button[type=submit]").click()
    assert not [e for e in tab.console_errors if "Content Security Policy" in e]

    members = browser.new_context()
    try:
        theirs = members.new_page()
        _sign_in(theirs, live_server, t.slug, email, "member long password")
        expect(theirs.locator("main h1")).to_be_visible()
        assert theirs.locator("#past-due-banner").count() == 0
    finally:
        members.close()
