"""The order page's deal forms in a real headless Chromium, as the sales manager: a trade-in
appraisal (a bad VIN refused beside its field first), a financing application declined with
the deposit refunded, an F&I product sold and partly charged back, the order reassigned to
another salesperson — each checked on the page and through the API; axe-core and no
horizontal scrolling at 375 px; then the same page in Ukrainian and in Russian."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.browser import assert_accessible, console_shot, sign_in_page
from tests.plugins.dealership.support import (
    GOOD_VIN,
    Dealer,
    customer,
    dealer,
    order,
    vehicle,
)

API = "/api/v1/dealership"
DEAL = "section[aria-labelledby=h-deal]"


@pytest.fixture(scope="module")
def deal(live_server) -> Iterator[tuple[Dealer, dict, str, str]]:
    """A dealer, a salesperson's order with a 1,000 EUR deposit, and the manager's login."""
    with httpx.Client(base_url=live_server, timeout=60) as api:
        d = dealer(api)
        o = order(api, d, vehicle(api, d), customer(api, d, "Petro"))
        r = api.post(f"{API}/orders/{o['id']}/deposits", headers=d.as_("salesperson"),
                     json={"amount_minor": 100000, "currency": "EUR", "receipt": "R-1"})
        assert r.status_code == 201, r.text
        manager = api.get("/api/v1/members", headers=d.as_("owner"), params={"limit": 100})
        email = next(m["email"] for m in manager.json()["items"]
                     if m["id"] == d.members["sales_manager"])
        yield d, o, email, f"sales_manager password {d.tenant.slug}"


def _sign_in(page, base: str, slug: str, email: str, password: str) -> None:
    sign_in_page(page, base, slug, email, password)


def _clean(tab, refusals: int = 0) -> None:
    """No CSP violation, no request off the machine, and no script error: the only console
    errors are Chromium's notes of the ``refusals`` forms answered 422 on purpose."""
    assert tab.csp_violations() == []
    assert tab.blocked == []
    refused = [e for e in tab.console_errors if "status of 422" in e]
    assert len(refused) == refusals and len(tab.console_errors) == refusals, tab.console_errors


def test_trade_in_financing_products_and_reassignment(tab, live_server, deal):
    d, o, email, password = deal
    page = tab.page
    _sign_in(page, live_server, d.tenant.slug, email, password)
    url = f"{live_server}/apps/dealership/orders/{o['id']}"
    page.goto(url)
    assert "1" in page.inner_text("#deposit-held")

    # Trade-in: a bad VIN is refused beside its field, the rest kept for correction.
    page.click("summary:has-text('Appraise a trade-in')")
    page.fill("#f-ti_vin", "NOT-A-VIN")
    page.fill("#f-ti_mileage_km", "52000")
    page.select_option("#f-ti_condition", "fair")
    page.fill("#f-ti_actual_cash_value", "9000")
    page.fill("#f-ti_allowance", "9500")
    page.fill("#f-ti_payoff", "2000")
    page.fill("#f-ti_lienholder", "PrivatBank")
    page.fill("#f-ti_valid_until", "2031-01-01")
    page.click("button:has-text('Record the appraisal')")
    page.wait_for_selector("#f-ti_vin-error")
    assert page.locator("#f-ti_vin").get_attribute("aria-invalid") == "true"
    assert_accessible(page, "trade-in refused")
    page.fill("#f-ti_vin", GOOD_VIN)
    page.click("button:has-text('Record the appraisal')")
    page.wait_for_selector(f"{DEAL} li:has-text('{GOOD_VIN}')")
    assert "PrivatBank" in page.inner_text(f"{DEAL} li:has-text('{GOOD_VIN}')")

    # Financing: applied for, then declined, refunding the deposit.
    page.click("summary:has-text('Apply for financing')")
    page.fill("#f-fin_lender", "Raiffeisen")
    page.fill("#f-fin_amount", "30000")
    page.fill("#f-fin_lender_reference", "RF-2031-77")
    page.click("button:has-text('Record the application')")
    application = page.locator(f"{DEAL} li:has-text('Raiffeisen')")
    application.wait_for()
    application.locator("input[name=refund_deposit]").check()
    application.locator("button[value=declined]").click()
    page.wait_for_selector(f"{DEAL} li:has-text('Raiffeisen') .tag:has-text('declined')")
    assert page.locator("section[aria-labelledby=h-money] li:has-text('Refund')").count() == 1

    # An F&I product sold, then charged back in part (too much refused first).
    page.click("summary:has-text('Sell a product')")
    page.select_option("#f-fi_kind", "gap")
    page.fill("#f-fi_provider", "Allianz")
    page.fill("#f-fi_price", "800")
    page.fill("#f-fi_cost", "300")
    page.click("button:has-text('Record the sale')")
    product = page.locator(f"{DEAL} li:has-text('Allianz')")
    product.wait_for()
    product.locator("input[name=amount]").fill("900")
    product.locator("input[name=reason]").fill("Cancelled in month two")
    product.locator("button:has-text('Charge back')").click()
    page.wait_for_selector("p.error:has-text('at most the price')")
    product = page.locator(f"{DEAL} li:has-text('Allianz')")
    product.locator("input[name=amount]").fill("200")
    product.locator("input[name=reason]").fill("Cancelled in month two")
    product.locator("button:has-text('Charge back')").click()
    page.wait_for_selector(f"{DEAL} li:has-text('Allianz'):has-text('charged back')")

    # Reassigned to the other salesperson.
    page.select_option("#f-salesperson_id", d.members["rival"])
    page.click("#reassign button[type=submit]")
    page.wait_for_selector("dd:has-text('Rival Person')")
    console_shot(tab, "dealership-order-deal")
    assert_accessible(page, "order page with the deal filled in")

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "order page at 375 px")
    console_shot(tab, "dealership-order-375px")
    _clean(tab, refusals=2)

    h = d.as_("owner")
    got = httpx.get(f"{live_server}{API}/orders/{o['id']}", headers=h).json()
    assert got["salesperson_id"] == d.members["rival"]
    assert got["trade_in_minor"] == 950000 and got["deposit_held_minor"] == 0
    trade = httpx.get(f"{live_server}{API}/orders/{o['id']}/trade-ins", headers=h).json()
    assert [(t["vin"], t["condition"], t["payoff_minor"], t["lienholder"])
            for t in trade["items"]] == [(GOOD_VIN, "fair", 200000, "PrivatBank")]
    fin = httpx.get(f"{live_server}{API}/orders/{o['id']}/financing", headers=h).json()
    assert [(f["lender"], f["amount_minor"], f["status"]) for f in fin["items"]] == [
        ("Raiffeisen", 3000000, "declined")]
    sold = httpx.get(f"{live_server}{API}/orders/{o['id']}/products", headers=h).json()
    assert [(p["kind"], p["price_minor"], p["chargeback_minor"]) for p in sold["items"]] == [
        ("gap", 80000, 20000)]


@pytest.mark.parametrize(("language", "words", "history"), [
    ("uk", ("Трейд-ін", "Фінансування", "Передати продавцю", "Завдатки"),
     (f"Трейд-ін {GOOD_VIN} оцінено", "Завдаток повернено", "Замовлення передано",
      "Рішення щодо фінансування: відхилено · Raiffeisen")),
    ("ru", ("Трейд-ин", "Финансирование", "Передать продавцу", "Задатки"),
     (f"Трейд-ин {GOOD_VIN} оценён", "Задаток возвращён", "Заказ передан",
      "Решение по финансированию: отклонена · Raiffeisen")),
])
def test_the_order_page_in_ukrainian_and_russian(tab, live_server, deal, language, words,
                                                 history):
    d, o, email, password = deal
    page = tab.page
    page.set_extra_http_headers({"Accept-Language": language})
    _sign_in(page, live_server, d.tenant.slug, email, password)
    page.goto(f"{live_server}/apps/dealership/orders/{o['id']}")
    assert page.locator("html").get_attribute("lang") == language
    main = page.inner_text("main")
    for word in words:
        assert word in main, (language, word)
    # The forms' own words.
    forms = page.inner_text("section[aria-labelledby=h-order]") + page.inner_text(DEAL)
    for english in ("Trade-in", "Financing", "Reassign to", "Appraise a trade-in",
                    "Apply for financing", "Sell a product", "Charge back"):
        assert english not in forms, (language, english)
    # The history too, from each entry's kind and data (not the summary written in English).
    log = page.inner_text("section[aria-labelledby=h-log]")
    for line in history:
        assert line in log, (language, line)
    for english in ("appraised", "Financing", "Deposit", "reassigned", "sold", "Order for"):
        assert english not in log, (language, english)
    console_shot(tab, f"dealership-order-{language}")
    assert_accessible(page, f"order page in {language}")
    _clean(tab)
