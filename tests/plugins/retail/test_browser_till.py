"""The cashier's journey in a real Chromium at 375 px: type a card, see the greeting with
the salutation and the birthday banner, record a purchase that redeems points; axe-core on
each screen."""

from __future__ import annotations

from datetime import date

import httpx

from tests.browser import assert_accessible, sign_in_page
from tests.conftest import unique


def _shop(live_server: str) -> tuple[str, str, str, str]:
    slug = unique("till")
    email, password = f"kasa@{slug}.example.com", "correct horse battery staple"
    assert httpx.post(f"{live_server}/api/v1/signup", json={
        "organization": {"name": "Corner shop", "slug": slug},
        "admin": {"email": email, "password": password, "full_name": "Kasa Owner"},
    }).status_code == 201
    token = httpx.post(f"{live_server}/api/v1/auth/login", json={
        "tenant": slug, "email": email, "password": password}).json()["access_token"]
    h = {"Authorization": f"Bearer {token}"}
    assert httpx.put(f"{live_server}/api/v1/modules/retail", headers=h).status_code == 200
    program = httpx.post(f"{live_server}/api/v1/retail/programs", headers=h, json={
        "name": "Club", "currency": "UAH"}).json()
    today = date.today()
    born = today.replace(year=1985) if (today.month, today.day) != (2, 29) else today
    contact = httpx.post(f"{live_server}/api/v1/contacts", headers=h, json={
        "given_name": "Taras", "patronymic": "Hryhorovych", "family_name": "Shevchenko",
        "language": "uk", "birthday": born.isoformat()}).json()
    member = httpx.post(f"{live_server}/api/v1/retail/members", headers=h, json={
        "contact_id": contact["id"], "program_id": program["id"]}).json()
    card = member["cards"][0]["number"]
    r = httpx.post(f"{live_server}/api/v1/retail/till/purchases", headers=h, json={
        "card_number": card, "external_id": "seed", "currency": "UAH", "amount": "80"})
    assert r.status_code == 201, r.text
    return slug, email, password, card


def _signed_in(tab, live_server: str):
    """The shop's owner signed in on a phone-sized page; the page and the seeded card."""
    slug, email, password, card = _shop(live_server)
    page = tab.page
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in_page(page, live_server, slug, email, password)
    return page, card


def test_cashier_scans_greets_and_records(tab, live_server):
    page, card = _signed_in(tab, live_server)
    page.goto(f"{live_server}/apps/retail/")
    assert_accessible(page, "till, empty")
    page.fill("#card", card)
    page.keyboard.press("Enter")
    page.wait_for_selector("#greeting")
    assert "Taras Hryhorovych" in page.inner_text("#greeting")
    assert page.locator(".banner[role=status]").count() == 1
    assert "80" in page.inner_text("#balance")
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "till, card scanned")
    page.fill("#external_id", "R-1001")
    page.fill("#amount", "20")
    page.fill("#redeem_points", "50")
    page.click("form[action='/apps/retail/purchases'] button[type=submit]")
    page.wait_for_selector(".success[role=status]")
    assert "50" in page.inner_text("#balance")  # 80 + 20 - 50
    assert_accessible(page, "till, purchase recorded")
    # Redeeming more than the balance is refused and says so; nothing is written.
    page.fill("#external_id", "R-1002")
    page.fill("#amount", "1")
    page.fill("#redeem_points", "999")
    page.click("form[action='/apps/retail/purchases'] button[type=submit]")
    page.wait_for_selector(".error[role=alert]")
    assert "redeem_points" in page.inner_text(".error[role=alert]")
    assert "50" in page.inner_text("#balance")


def test_manager_edits_a_program(tab, live_server):
    """The program screen at 375 px: a tier added, a refusal beside its field; axe-core."""
    page, _ = _signed_in(tab, live_server)
    page.goto(f"{live_server}/apps/retail/programs")
    page.click("text=Edit the program, its tiers and rewards")
    page.wait_for_selector("#tier-new-threshold")
    page.fill("#tier-new-name", "Gold")
    page.fill("#tier-new-threshold", "1000")
    page.click("form[action$='/tiers'] button[type=submit]")
    page.wait_for_selector("form[aria-label='Gold']")
    assert_accessible(page, "program, tier added")
    page.fill("#tier-new-name", "Silver")
    page.fill("#tier-new-threshold", "-1")
    page.click("form[action$='/tiers'] button[type=submit]")
    page.wait_for_selector("#tier-new-threshold-error")
    assert page.get_attribute("#tier-new-threshold", "aria-invalid") == "true"
    assert_accessible(page, "program, tier refused")


def test_cashier_records_a_return(tab, live_server):
    page, card = _signed_in(tab, live_server)
    page.goto(f"{live_server}/apps/retail/?card={card}")
    page.wait_for_selector("#greeting")
    # The seed purchase (80, recorded without lines): lines cannot come back, and say so.
    page.fill("#purchase_external_id", "seed")
    page.fill("#return_id", "RT-1")
    page.fill("#return_lines", "BREAD 1")
    page.click("form[action='/apps/retail/returns'] button[type=submit]")
    page.wait_for_selector(".error[role=alert]")
    assert "without lines" in page.inner_text(".error[role=alert]")
    assert "80" in page.inner_text("#balance")
    # Half of it by money: half of its points go.
    page.fill("#purchase_external_id", "seed")
    page.fill("#return_id", "RT-1")
    page.fill("#return_amount", "40")
    page.click("form[action='/apps/retail/returns'] button[type=submit]")
    page.wait_for_selector(".success[role=status]")
    assert "40" in page.inner_text(".success[role=status]")
    assert "40" in page.inner_text("#balance")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "till, return recorded")
