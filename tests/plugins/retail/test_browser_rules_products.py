"""The loyalty manager in a real Chromium at 375 px: edits an earning rule from its form on
the program screen (in Ukrainian; a refusal beside its field, what was typed kept) and maps
products to categories on their own screen (in Russian), each change checked through the
API; axe-core on every screen, a screenshot of each for the docs."""

from __future__ import annotations

import httpx

from tests.browser import assert_accessible, console_shot, sign_in_page, sign_up_over_http

R = "/api/v1/retail"


def _sign_in(page, live_server: str, owner) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in_page(page, live_server, owner.slug, owner.email, owner.password)


def test_manager_edits_a_rule_and_maps_products(tab, live_server):
    owner = sign_up_over_http(live_server, "rules", "Corner shop", "Olha Manager")
    api, h = owner.api, owner.headers
    api.timeout = httpx.Timeout(60)  # a till purchase on a machine shared with other suites
    assert api.put("/api/v1/modules/retail", headers=h).status_code == 200
    program = api.post(f"{R}/programs", headers=h, json={
        "name": "Club", "currency": "UAH", "time_zone": "Europe/Kyiv"}).json()
    rule = api.post(f"{R}/programs/{program['id']}/rules", headers=h, json={
        "name": "Coffee", "sku": "COFFEE", "multiplier": "2"}).json()
    page = tab.page
    _sign_in(page, live_server, owner)

    page.set_extra_http_headers({"Accept-Language": "uk"})
    page.goto(f"{live_server}/apps/retail/programs/{program['id']}")
    page.click("summary:has-text('Змінити правило Coffee')")
    key = f"rule-{rule['id']}"
    page.fill(f"#{key}-category", "drinks")  # a SKU and a category: refused
    page.click(f"form[action$='/rules/{rule['id']}'] button[type=submit]")
    page.wait_for_selector(f"#{key}-category-error")
    assert page.get_attribute(f"#{key}-category", "aria-invalid") == "true"
    assert page.input_value(f"#{key}-category") == "drinks"  # what was typed is kept
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "program, rule refused")
    assert api.get(f"{R}/programs/{program['id']}/rules",
                   headers=h).json()[0]["category"] is None  # nothing written
    page.fill(f"#{key}-sku", "")
    page.fill(f"#{key}-multiplier", "3")
    page.fill(f"#{key}-name", "Напої x3")
    page.fill(f"#{key}-ends_at", "2026-12-31")
    page.click(f"form[action$='/rules/{rule['id']}'] button[type=submit]")
    page.wait_for_selector("summary:has-text('Напої x3')")
    assert_accessible(page, "program, rule edited")
    console_shot(tab, "retail-rule-edit")
    changed = api.get(f"{R}/programs/{program['id']}/rules", headers=h).json()[0]
    assert (changed["name"], changed["multiplier"], changed["sku"], changed["category"]) == (
        "Напої x3", "3", None, "drinks")
    assert changed["ends_at"].startswith("2026-12-31T22:00")  # through the last Kyiv day

    page.set_extra_http_headers({"Accept-Language": "ru"})
    page.goto(f"{live_server}/apps/retail/products")
    assert "Товары и категории" in page.inner_text("h1")
    assert_accessible(page, "products, empty")
    page.fill("#product-sku", "LATTE")
    page.fill("#product-category", "   ")  # blank once trimmed: refused in place
    page.click("form[action='/apps/retail/products'] button[type=submit]")
    page.wait_for_selector("#product-category-error")
    assert page.input_value("#product-sku") == "LATTE"
    assert_accessible(page, "products, refused")
    page.fill("#product-category", "drinks")
    page.click("form[action='/apps/retail/products'] button[type=submit]")
    page.wait_for_selector("td:has-text('LATTE')")
    assert "drinks" in page.inner_text("table")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "products, saved")
    console_shot(tab, "retail-products")
    # The category applies: a latte earns by the edited rule (x3).
    contact = api.post("/api/v1/contacts", headers=h, json={"given_name": "Ira"}).json()
    member = api.post(f"{R}/members", headers=h, json={
        "contact_id": contact["id"], "program_id": program["id"]}).json()
    r = api.post(f"{R}/till/purchases", headers=h, json={
        "card_number": member["cards"][0]["number"], "external_id": "l-1", "currency": "UAH",
        "lines": [{"product": "LATTE", "quantity": "1", "unit_price": "50"}]})
    assert r.status_code == 201 and r.json()["points_earned"] == 150, r.text
