"""Settings and the medical screens in a real headless Chromium: the owner invites a member
(who reads the letter and joins through /invite in their own browser), turns the medical
module on in the marketplace (its navigation appears), opens a patient's chart from the
customer page, and shares the patient with another clinic; the chart on a 375 px phone.
No CSP violation, no script error, no request off the machine. Screenshots as in
test_browser_journey (RAPPORT_DOC_IMAGES=1 copies them to docs/img/)."""

from __future__ import annotations

import secrets

import httpx
from playwright.sync_api import expect

from tests.browser import console_shot, sign_in_page
from tests.conftest import sign_up
from tests.console.test_browser_journey import _clean
from tests.mailbox import MAILBOX


def _sign_in(page, base: str, slug: str, email: str, password: str) -> None:
    sign_in_page(page, base, slug, email, password)


def test_invite_enable_medical_open_a_chart_and_share_it(tab, browser, live_server):
    api = httpx.Client(base_url=live_server)
    clinic = sign_up(api)  # the organization, through the API
    other = sign_up(api)   # the clinic the patient is referred to
    assert api.put("/api/v1/modules/medical", headers=other.headers).status_code == 200
    page = tab.page
    _sign_in(page, live_server, clinic.slug, clinic.owner_email, clinic.owner_password)

    # Members: invite by e-mail; the list shows the invitation pending (an htmx swap).
    page.click("nav.mainnav >> text=Settings")
    page.wait_for_url("**/settings/members")
    email = f"taras-{secrets.token_hex(3)}@example.com"
    page.fill("#f-email", email)
    page.fill("#f-full_name", "Taras Registrar")
    page.select_option("#f-role", "member")
    page.click("text=Send invitation")
    page.wait_for_selector(f"#members-section >> text={email}")
    assert "invitation pending" in page.locator("#members-section").inner_text()
    expect(page.locator("#announcer")).to_contain_text(f"Invitation sent to {email}")
    console_shot(tab, "settings-members")

    # The person reads the letter and joins in their own browser.
    letter = MAILBOX.wait_for(email)
    theirs = browser.new_context()
    try:
        joining = theirs.new_page()
        joining.goto(f"{live_server}/invite?tenant={clinic.slug}&token={letter.token}")
        joining.fill("#f-password", "taras has a long password")
        joining.click("button[type=submit].primary")
        joining.wait_for_url("**/sign-in?*joined=1*")
    finally:
        theirs.close()
    page.reload()
    assert "invitation pending" not in page.locator("#members-section").inner_text()

    # The marketplace: medical on; its screens join the navigation.
    page.click("nav.subnav >> text=Modules")
    page.wait_for_url("**/settings/modules")
    assert "Access requests" not in page.locator("nav.mainnav").inner_text()
    page.click("#module-medical >> text=Turn on")
    page.wait_for_url("**/settings/modules?enabled=medical*")
    assert "Access requests" in page.locator("nav.mainnav").inner_text()
    assert page.locator("#s-medical-break_glass_minutes").input_value() == "60"
    console_shot(tab, "settings-modules")

    # A patient (registered through the API), opened from the customer page.
    contact = api.post("/api/v1/contacts", json={"given_name": "Olha", "family_name": "Koval"},
                       headers=clinic.headers).json()["id"]
    r = api.post("/api/v1/medical/patients", headers=clinic.headers, json={
        "contact_id": contact, "mrn": "MRN-77", "birth_date": "1980-04-12", "sex": "female"})
    # (Allergies and the blood type are clinical sections since medical_0003: an owner
    # neither records nor reads them; the panel shows what the owner's role may read.)
    assert r.status_code == 201, r.text
    page.goto(f"{live_server}/contacts/{contact}")
    panel = page.locator("#panel-medical-chart")
    assert "MRN-77" in panel.inner_text()
    panel.locator("text=Open the chart").click()
    page.wait_for_selector("h1:has-text('Olha Koval')")
    console_shot(tab, "medical-chart")

    # Share the patient with the other clinic, with the patient's consent.
    page.fill("#f-organization", other.slug)
    page.check("input[name=sections][value=demographics]")
    page.fill("#f-purpose", "referral for cardiology")
    page.fill("#f-evidence", "signed form no. 12")
    page.fill("#f-expires_at", "2099-12-31")
    page.click("text=Share >> nth=-1")
    page.wait_for_url("**?shared=1")
    assert other.slug in page.locator("#h-consents + ul").inner_text() or \
        f"Org {other.slug}" in page.locator("main").inner_text()
    _clean(tab)

    page.goto(f"{live_server}/apps/medical/sharing")
    assert "referral for cardiology" in page.locator("main").inner_text()
    console_shot(tab, "medical-sharing")

    # The other clinic finds it under Sharing and opens the shared part of the record.
    theirs = browser.new_context()
    try:
        there = theirs.new_page()
        _sign_in(there, live_server, other.slug, other.owner_email, other.owner_password)
        there.goto(f"{live_server}/apps/medical/sharing")
        there.click("text=Open the shared record")
        there.wait_for_selector("h1:has-text('Olha Koval')")
        assert "read-only" in there.locator("main").inner_text()
    finally:
        theirs.close()

    # The chart on a phone: nothing wider than the screen.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server}/apps/medical/patients/{r.json()['id']}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    console_shot(tab, "medical-chart-375px")
    page.goto(f"{live_server}/settings/members")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _clean(tab)
