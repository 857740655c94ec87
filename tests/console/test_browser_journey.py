"""The console in a real headless Chromium: sign up → sign in → home → find a customer by a
misspelt name (search as you type) → the customer page; then the same page on a 375 px
phone and in Ukrainian. No CSP violation, no script error, no request off the machine.

Screenshots go to .artifacts/screenshots/; with RAPPORT_DOC_IMAGES=1 the ones the docs show
are also written to docs/img/ (how docs/console.md's images are made).
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

import httpx

from tests.browser import SCREENSHOTS

DOC_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "img"


def _shot(tab, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"console-{name}.png"
    tab.page.screenshot(path=str(path), full_page=True)
    if os.environ.get("RAPPORT_DOC_IMAGES") == "1":
        DOC_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOC_IMAGES / path.name)


def _clean(tab) -> None:
    assert tab.csp_violations() == []
    assert tab.console_errors == []
    assert tab.blocked == []


def test_sign_up_find_a_customer_by_a_misspelt_name(tab, live_server):
    page = tab.page
    slug = "cafe-" + secrets.token_hex(3)
    email, password = f"olena@{slug}.example.com", "correct horse battery staple"

    page.goto(live_server + "/")
    assert page.url.endswith("/sign-in?next=/")
    _shot(tab, "sign-in")
    page.click("text=Create an organization")
    page.fill("#f-organization-name", "Кав'ярня Зерно")
    page.fill("#f-organization-slug", slug)
    page.fill("#f-admin-full_name", "Olena Kovalenko")
    page.fill("#f-admin-email", email)
    page.fill("#f-admin-password", password)
    _shot(tab, "sign-up")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/sign-in?tenant=*")
    assert page.input_value("#f-tenant") == slug

    # Customers arrive through the API (as an import or another app would add them).
    api = httpx.Client(base_url=live_server)
    token = api.post("/api/v1/auth/login", json={"tenant": slug, "email": email,
                                                 "password": password}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    for given, family, mail in [("Mykhailo", "Hrushevskyi", "mh@example.com"),
                                ("Lesya", "Ukrainka", "lesya@example.com"),
                                ("Ivan", "Franko", None)]:
        body = {"given_name": given, "family_name": family, "email": mail,
                "phones": [{"number": "+380 44 123 45 67"}] if given == "Lesya" else []}
        assert api.post("/api/v1/contacts", json=body, headers=headers).status_code == 201
    lesya = api.get("/api/v1/contacts?q=Lesya", headers=headers).json()["items"][0]["id"]
    api.post("/api/v1/interactions", json={"contact_id": lesya, "kind": "call",
                                           "subject": "Wants oat milk"}, headers=headers)

    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(live_server + "/")
    assert page.locator("h1").inner_text() == "Home"
    assert "Кав'ярня Зерно" in page.locator(".topbar").inner_text()
    _shot(tab, "home")

    page.click("nav.mainnav >> text=Contacts")
    page.wait_for_url("**/contacts")
    assert "Ivan Franko" in page.locator("#contact-results").inner_text()
    page.locator("#q").press_sequentially("Ukrainak", delay=40)  # typed, and misspelt
    # The results are swapped in place and the search goes into the address.
    page.wait_for_url("**/contacts?q=Ukrainak")
    page.wait_for_function(
        "!document.querySelector('#contact-results').innerText.includes('Franko')")
    assert "Lesya Ukrainka" in page.locator("#contact-results").inner_text()
    _shot(tab, "contacts-search")

    page.click("#contact-results >> text=Lesya Ukrainka")
    page.wait_for_selector("h1:has-text('Lesya Ukrainka')")
    text = page.locator("main").inner_text()
    assert "lesya@example.com" in text and "Wants oat milk" in text
    assert "Who already worked with this customer" in text
    _shot(tab, "customer")
    _clean(tab)

    # The same page on a phone: nothing wider than the screen.
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(tab, "customer-375px")

    # And in Ukrainian, chosen by the member.
    page.goto(live_server + "/preferences")
    page.select_option("#f-language", "uk")
    page.click("button[type=submit].primary")
    page.goto(live_server + "/")
    assert page.locator("h1").inner_text() == "Головна"
    _shot(tab, "home-uk")
    _clean(tab)
