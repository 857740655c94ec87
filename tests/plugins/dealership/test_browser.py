"""In a real headless Chromium: a salesperson's manager creates an order through the form,
records a promise on the order page (its kind in words), renegotiates it (the chain shown
as one, history beside the latest), then resolves it with one click; the module settings'
choices in words — on a 375 px phone screen too, without horizontal scrolling, with no serious axe-core
violation, no CSP violation, no script error and no request off the machine."""

from __future__ import annotations

import httpx

from tests.browser import assert_accessible, sign_in_page
from tests.conftest import unique

API = "/api/v1/dealership"


def _dealer(base: str) -> tuple[str, str, str, dict[str, str], dict]:
    slug = unique("cars")
    email, password = f"maria@{slug}.example.com", "correct horse battery staple"
    api = httpx.Client(base_url=base)
    assert api.post("/api/v1/signup", json={
        "organization": {"name": "Авто Дім", "slug": slug},
        "admin": {"email": email, "password": password, "full_name": "Maria Sales"},
    }).status_code == 201
    token = api.post("/api/v1/auth/login", json={"tenant": slug, "email": email,
                                                 "password": password}).json()["access_token"]
    h = {"Authorization": f"Bearer {token}"}
    assert api.put("/api/v1/modules/dealership", headers=h).status_code == 200
    vehicle = api.post(f"{API}/vehicles", headers=h, json={
        "make": "Toyota", "model": "RAV4", "model_year": 2026, "trim": "Hybrid Style",
        "colours": [{"code": "070", "name": "Pearl white"}, {"code": "3U5", "name": "Red"},
                    {"code": "1G3", "name": "Grey"}],
        "base_price_minor": 4200000, "currency": "EUR"}).json()
    contact = api.post("/api/v1/contacts", json={"given_name": "Andriy",
                                                 "family_name": "Koval"}, headers=h).json()
    return slug, email, password, h, {"vehicle": vehicle, "contact": contact}


def test_create_an_order_and_resolve_its_promise(tab, live_server):
    page = tab.page
    slug, email, password, h, made = _dealer(live_server)
    sign_in_page(page, live_server, slug, email, password)

    page.click("nav.mainnav >> text=Orders")
    page.wait_for_url("**/apps/dealership/")
    page.click("text=New order")
    page.select_option("#f-contact_id", made["contact"]["id"])
    page.select_option("#f-colour_code", "3U5")
    page.locator("select[name=alternative_colours]").nth(0).select_option("1G3")
    page.fill("#f-expected_delivery", "2031-04-30")
    assert_accessible(page, "new order")
    page.click("button[type=submit].primary")
    page.wait_for_selector("#order-stage")
    order_id = page.url.rsplit("/", 1)[1]
    main = page.locator("main").inner_text()
    assert "Andriy Koval" in main and "1. 1G3" in main
    assert_accessible(page, "order page")

    page.click("text=Record a promise…")
    page.select_option("#f-kind", "we_owe")
    page.fill("#f-text", "Mud flaps fitted before delivery")
    page.fill("#f-due_on", "2031-04-30")
    page.fill("#f-probability", "90")
    page.click("text=Record promise")
    page.wait_for_selector("text=Mud flaps fitted before delivery")

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server + "/apps/dealership/promises")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "promises due at 375 px")
    page.goto(f"{live_server}/apps/dealership/orders/{order_id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    row = page.locator(".row.promise", has_text="Mud flaps fitted before delivery")
    assert row.locator(".tag", has_text="we owe").count() == 1  # words, not the raw key
    # Renegotiated: one row to decide on, the history of the chain beside it.
    row.locator("summary:has-text('Renegotiate')").click()
    row.locator("input[name=due_on]").fill("2031-05-20")
    row.locator("input[name=evidence]").fill("Flaps back-ordered, customer agreed")
    row.locator("button:has-text('Renegotiate')").click()
    page.wait_for_selector(".chain:has-text('Flaps back-ordered, customer agreed')")
    assert page.locator(".row.promise").count() == 1
    assert "renegotiated" in page.locator(".chain").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "renegotiated promise chain at 375 px")
    row = page.locator(".row.promise", has_text="Mud flaps fitted before delivery")
    row.locator("button[value=kept]").click()
    page.wait_for_selector(".row.promise .tag:has-text('kept')")
    # Settings → Modules: the dealership's choices in words.
    page.goto(live_server + "/settings/modules")
    assert page.locator("#s-dealership-market option:checked").inner_text() == "Europe"
    assert page.locator("#s-dealership-change_cutoff option:checked").inner_text() == (
        "Scheduled for production")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(live_server + "/apps/dealership/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "order board at 375 px")
    assert page.locator(".deal-card").count() == 1
    page.check("input[name=overdue]")  # due in 2031: not overdue
    page.click("form[role=search] button:has-text('Filter')")
    page.wait_for_url("**overdue=1**")
    assert page.locator(".deal-card").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "filtered order board at 375 px")
    for screen in ("floor", "marketing", "contests", "reports"):
        page.goto(f"{live_server}/apps/dealership/{screen}")
        page.wait_for_selector("main h2")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, screen
        assert_accessible(page, f"{screen} at 375 px")

    promises = httpx.get(f"{live_server}{API}/promises", params={"order_id": order_id},
                         headers=h).json()["items"]
    assert sorted((p["text"], p["status"]) for p in promises) == [
        ("Mud flaps fitted before delivery", "kept"),
        ("Mud flaps fitted before delivery", "renegotiated")]
    assert tab.csp_violations() == []
    assert tab.console_errors == []
    assert tab.blocked == []
