"""The dealership screens that were API-only, walked in a real headless Chromium as the sales
manager: the catalogue (a vehicle with colours and options added and edited — a year out
of range and a colour on an order refused —, stock units added, filtered and edited, a bad VIN
refused beside its field), and on the order page a stock unit reserved (a
colour the buyer did not accept refused) and released, part of the deposit refunded (more
than held refused), the colour and options changed before the factory's cut-off and refused
after it with the reason shown, the credit split by percentage (not adding up to 100
refused); a sales contest started (a period ending before it starts refused) and ended; a
promise outside any order recorded from the customer's panel (a past due date refused),
the whole ledger filtered by status and by who promised —
each checked on the page and through the API; axe-core and no horizontal scrolling at
375 px; then the screens in Ukrainian and in Russian."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.browser import assert_accessible, console_shot, sign_in_page
from tests.plugins.dealership.support import (
    Dealer,
    customer,
    dealer,
    move,
    order,
    vehicle,
)

API = "/api/v1/dealership"
WHITE_VIN = "TMBJJ7NS5R8000556"
RED_VIN = "TMBJJ7NS5R8000555"


@pytest.fixture(scope="module")
def deal(live_server) -> Iterator[tuple[Dealer, dict, dict, str, str]]:
    """A dealer, a salesperson's order with a 1,000 EUR deposit, and the manager's login."""
    with httpx.Client(base_url=live_server, timeout=60) as api:
        d = dealer(api)
        v = vehicle(api, d)
        o = order(api, d, v, customer(api, d, "Ostap"))
        r = api.post(f"{API}/orders/{o['id']}/deposits", headers=d.as_("salesperson"),
                     json={"amount_minor": 100000, "currency": "EUR", "receipt": "R-1"})
        assert r.status_code == 201, r.text
        members = api.get("/api/v1/members", headers=d.as_("owner"), params={"limit": 100})
        email = next(m["email"] for m in members.json()["items"]
                     if m["id"] == d.members["sales_manager"])
        yield d, v, o, email, f"sales_manager password {d.tenant.slug}"


def _sign_in(page, base: str, slug: str, email: str, password: str) -> None:
    sign_in_page(page, base, slug, email, password)


def _clean(tab, refusals: int = 0) -> None:
    """No CSP violation, no request off the machine, and no script error: the only console
    errors are Chromium's notes of the ``refusals`` forms answered 4xx on purpose."""
    assert tab.csp_violations() == []
    assert tab.blocked == []
    refused = [e for e in tab.console_errors if "status of 4" in e]
    assert len(refused) == refusals and len(tab.console_errors) == refusals, tab.console_errors


def _narrow(tab, name: str) -> None:
    page = tab.page
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, f"{name} at 375 px")
    console_shot(tab, f"dealership-{name}-375px")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_catalogue_order_changes_and_contests(tab, live_server, deal):
    d, v, o, email, password = deal
    page = tab.page
    h = d.as_("owner")
    _sign_in(page, live_server, d.tenant.slug, email, password)

    # The catalogue: a vehicle without colours is refused beside the field, kept as typed.
    page.goto(f"{live_server}/apps/dealership/catalogue")
    page.click("summary:has-text('Add a vehicle')")
    page.fill("#f-make", "Škoda")
    page.fill("#f-model", "Enyaq")
    page.fill("#f-model_year", "2027")
    page.fill("#f-trim", "Sportline")
    page.fill("#f-base_price", "52000")
    page.fill("#f-option_lines", "HP1 Heat pump = 1100")
    page.click("button:has-text('Add the vehicle')")
    page.wait_for_selector("#f-colours-error")
    assert page.input_value("#f-model") == "Enyaq"
    assert_accessible(page, "vehicle refused")
    page.fill("#f-colours", "P7P7 Race blue\nF9R Velvet red")
    page.click("button:has-text('Add the vehicle')")
    page.wait_for_selector("#vehicles li:has-text('Enyaq')")
    assert "Race blue" in page.inner_text("#vehicles li:has-text('Enyaq')")
    # Edited from its own form: a year before cars refused beside it, then renamed, body cleared,
    # a colour dropped (nothing uses it) and the base price raised.
    enyaq = page.locator("#vehicles li:has-text('Enyaq')")
    enyaq.locator("summary:has-text('Edit the vehicle')").click()
    enyaq_id = enyaq.get_attribute("id").removeprefix("vehicle-")
    enyaq.locator("input[name=model_year]").fill("1800")
    enyaq.locator("input[name=body]").fill("SUV")
    enyaq.locator("button:has-text('Save the vehicle')").click()
    page.wait_for_selector(f"#ve-{enyaq_id}-model_year-error")
    assert page.input_value(f"#ve-{enyaq_id}-body") == "SUV"  # kept as typed
    assert_accessible(page, "vehicle edit refused")
    page.fill(f"#ve-{enyaq_id}-model_year", "2027")
    page.fill(f"#ve-{enyaq_id}-trim", "Sportline 85x")
    page.fill(f"#ve-{enyaq_id}-body", "")
    page.fill(f"#ve-{enyaq_id}-base_price", "53500")
    page.fill(f"#ve-{enyaq_id}-colours", "F9R Velvet red")
    page.click(f"#vehicle-edit-{enyaq_id} button:has-text('Save the vehicle')")
    page.wait_for_selector("#vehicles li:has-text('Sportline 85x')")
    edited = httpx.get(f"{live_server}{API}/vehicles/{enyaq_id}", headers=h).json()
    assert (edited["trim"], edited["body"], edited["base_price_minor"]) == (
        "Sportline 85x", None, 5350000)
    assert [c["code"] for c in edited["colours"]] == ["F9R"]
    assert [o["code"] for o in edited["options"]] == ["HP1"]
    # The ordered vehicle: Magic black is an accepted colour on the order — refused, named.
    kodiaq = page.locator(f"#vehicle-{v['id']}")
    kodiaq.locator("summary:has-text('Edit the vehicle')").click()
    page.fill(f"#ve-{v['id']}-colours", "2Y2Y Moon white\nF9R Velvet red\n9P9P Graphite grey")
    page.click(f"#vehicle-edit-{v['id']} button:has-text('Save the vehicle')")
    page.wait_for_selector(f"#vehicle-edit-{v['id']} .error:has-text('1Z1Z')")
    assert httpx.get(f"{live_server}{API}/vehicles/{v['id']}", headers=h).json()[
        "colours"] == v["colours"]

    # Stock: a bad VIN refused beside its field; then a red unit and a white one.
    page.click("summary:has-text('Add a stock unit')")
    page.select_option("#f-vehicle_id", v["id"])
    page.fill("#f-vin", "NOT-A-VIN")
    page.fill("#f-colour_code", "F9R")
    page.click("button:has-text('Add the unit')")
    page.wait_for_selector("#f-vin-error")
    assert page.input_value("#f-colour_code") == "F9R"
    for vin, colour in ((RED_VIN, "F9R"), (WHITE_VIN, "2Y2Y")):
        if not page.is_visible("#f-vin"):
            page.click("summary:has-text('Add a stock unit')")
        page.select_option("#f-vehicle_id", v["id"])
        page.fill("#f-vin", vin)
        page.fill("#f-colour_code", colour)
        page.click("button:has-text('Add the unit')")
        page.wait_for_selector(f"#stock li:has-text('{vin}')")
    # Edited: the white one is in transit to Lviv; then the list filtered by status.
    white = page.locator(f"#stock li:has-text('{WHITE_VIN}')")
    white.locator("select[name=status]").select_option("in_transit")
    white.locator("input[name=branch]").fill("Lviv")
    white.locator("button:has-text('Save')").click()
    page.wait_for_selector(f"#stock li:has-text('{WHITE_VIN}'):has-text('Lviv')")
    page.select_option("#q-status", "in_transit")
    page.click("button:has-text('Filter')")
    page.wait_for_url("**status=in_transit**")
    assert page.locator("#stock li.row").count() == 1
    console_shot(tab, "dealership-catalogue")
    assert_accessible(page, "catalogue")
    _narrow(tab, "catalogue")
    units = {u["vin"]: u for u in httpx.get(f"{live_server}{API}/stock", headers=h).json()[
        "items"]}
    assert (units[WHITE_VIN]["status"], units[WHITE_VIN]["branch"]) == ("in_transit", "Lviv")
    assert units[RED_VIN]["status"] == "in_stock"
    made = httpx.get(f"{live_server}{API}/vehicles", headers=h, params={"make": "Škoda"})
    assert [(x["model"], [c["code"] for c in x["colours"]], x["options"][0]["price_minor"])
            for x in made.json()["items"]] == [("Enyaq", ["F9R"], 110000)]  # P7P7 edited away

    # The order page: the white unit (a colour the buyer did not accept) is refused.
    url = f"{live_server}/apps/dealership/orders/{o['id']}"
    page.goto(url)
    page.select_option("#f-rs_stock_unit_id", units[WHITE_VIN]["id"])
    page.click("#reserve button[type=submit]")
    page.wait_for_selector("#f-rs_stock_unit_id-error")
    page.select_option("#f-rs_stock_unit_id", units[RED_VIN]["id"])
    page.click("#reserve button[type=submit]")
    page.wait_for_selector(f"#reserved-unit:has-text('{RED_VIN}')")
    page.click("button:has-text('Release the unit')")
    page.wait_for_selector("#reserve")
    page.select_option("#f-rs_stock_unit_id", units[RED_VIN]["id"])
    page.click("#reserve button[type=submit]")
    page.wait_for_selector(f"#reserved-unit:has-text('{RED_VIN}')")

    # A refund outside financing: more than held refused, then 300 back.
    page.click("summary:has-text('Refund a deposit')")
    page.fill("#f-rf_amount", "5000")
    page.fill("#f-rf_reason", "Cheaper trim chosen")
    page.click("button:has-text('Record the refund')")
    page.wait_for_selector("#refund-error")
    assert page.input_value("#f-rf_reason") == "Cheaper trim chosen"
    page.fill("#f-rf_amount", "300")
    page.click("button:has-text('Record the refund')")
    page.wait_for_selector("section[aria-labelledby=h-money] li:has-text('Cheaper trim')")

    # Colour and options before the cut-off.
    page.click("summary:has-text('Change colour or options')")
    page.select_option("#f-ch_colour_code", "1Z1Z")
    page.select_option("#f-ch_alt1", "F9R")
    page.select_option("#f-ch_alt2", "")
    page.check("#specification input[value=WP1]")
    page.click("button:has-text('Save colour and options')")
    page.wait_for_selector("dd:has-text('1Z1Z · Magic black')")

    # The credit split: 60 + 30 refused, then 60 + 40.
    page.click("summary:has-text('Split the credit')")
    page.select_option("#f-sp_member0", d.members["salesperson"])
    page.fill("#f-sp_percent0", "60")
    page.select_option("#f-sp_member1", d.members["rival"])
    page.fill("#f-sp_percent1", "30")
    page.click("button:has-text('Save the split')")
    page.wait_for_selector("#splits-error")
    assert page.input_value("#f-sp_percent1") == "30"
    page.fill("#f-sp_percent1", "40")
    page.click("button:has-text('Save the split')")
    page.wait_for_selector("p:has-text('Rival Person 40 %')")
    console_shot(tab, "dealership-order-changes")
    assert_accessible(page, "order page with its changes")

    got = httpx.get(f"{live_server}{API}/orders/{o['id']}", headers=h).json()
    assert (got["stock_unit_id"], got["colour_code"], got["alternative_colours"],
            got["options"], got["deposit_held_minor"]) == (
        units[RED_VIN]["id"], "1Z1Z", ["F9R"], ["WP1"], 70000)
    assert got["splits"] == [{"member_id": d.members["salesperson"], "percent": 60},
                             {"member_id": d.members["rival"], "percent": 40}]
    log = httpx.get(f"{live_server}{API}/orders/{o['id']}/history", headers=h).json()["items"]
    assert [e["kind"] for e in log if e["kind"] in ("reserved", "released")] == [
        "reserved", "released", "reserved"]

    # Past the factory's cut-off (scheduled) the change is refused with the reason.
    with httpx.Client(base_url=live_server, timeout=60) as api:
        for stage, extra in (("deposit_paid", {}), ("allocated", {}),
                             ("ordered", {"manufacturer_order_no": "M-7"}),
                             ("scheduled", {"production_week": "2027-W10"})):
            r = move(api, d, o["id"], stage, who="sales_manager", **extra)
            assert r.status_code == 200, (stage, r.text)
    page.reload()
    page.click("summary:has-text('Change colour or options')")
    page.select_option("#f-ch_colour_code", "F9R")
    page.click("button:has-text('Save colour and options')")
    page.wait_for_selector("#specification p.error:has-text('cut-off')")
    assert page.input_value("#f-ch_colour_code") == "F9R"
    _narrow(tab, "order-changes")
    assert httpx.get(f"{live_server}{API}/orders/{o['id']}",
                     headers=h).json()["colour_code"] == "1Z1Z"

    # A contest: ending before it starts refused; then started and ended today.
    today = datetime.now(UTC).date()
    page.goto(f"{live_server}/apps/dealership/contests")
    page.click("summary:has-text('Start a sales contest')")
    page.fill("#f-ct_name", "Winter sprint")
    page.fill("#f-ct_starts_on", str(today))
    page.fill("#f-ct_ends_on", str(today - timedelta(days=3)))
    page.select_option("#f-ct_measure", "margin")
    page.fill("#f-ct_prizes", "A weekend in Bukovel\nDinner for two")
    page.click("button:has-text('Start the contest')")
    page.wait_for_selector("#f-ct_ends_on-error")
    assert page.input_value("#f-ct_name") == "Winter sprint"
    page.fill("#f-ct_ends_on", str(today + timedelta(days=30)))
    page.click("button:has-text('Start the contest')")
    page.wait_for_selector("h2:has-text('Winter sprint')")
    assert "A weekend in Bukovel" in page.inner_text("main")
    console_shot(tab, "dealership-contests")
    assert_accessible(page, "contests")
    _narrow(tab, "contests")
    page.click("button:has-text('End the contest today')")
    page.wait_for_selector("h2:has-text('Winter sprint')")
    assert page.locator("button:has-text('End the contest today')").count() == 0
    contests = httpx.get(f"{live_server}{API}/incentives/contests", headers=h).json()["items"]
    assert [(c["name"], c["measure"], c["prizes"], c["ends_on"]) for c in contests] == [
        ("Winter sprint", "margin", ["A weekend in Bukovel", "Dinner for two"], str(today))]

    # A promise outside any order, from the customer's panel: a past due date refused.
    page.goto(f"{live_server}/contacts/{o['contact_id']}")
    page.click("#panel-dealership-promises a:has-text('Record a promise')")
    page.wait_for_selector("#pledge")
    assert page.input_value("#f-contact_id") == o["contact_id"]
    page.select_option("#f-kind", "we_owe")
    page.fill("#f-text", "A second key, owed on delivery")
    page.fill("#f-due_on", str(today - timedelta(days=1)))
    page.select_option("#f-fulfilled_by", "parts")
    page.fill("#f-cost", "150")
    page.select_option("#f-cost_borne_by", "dealer")
    page.click("#pledge button[type=submit]")
    page.wait_for_selector("#f-due_on-error")
    assert page.input_value("#f-text") == "A second key, owed on delivery"
    assert_accessible(page, "promise refused")
    page.fill("#f-due_on", str(today + timedelta(days=10)))
    page.click("#pledge button[type=submit]")
    page.wait_for_selector("#panel-dealership-promises li:has-text('A second key')")
    made = httpx.get(f"{live_server}{API}/promises", headers=h,
                     params={"contact_id": o["contact_id"]}).json()["items"]
    assert [(p["kind"], p["fulfilled_by"], p["cost_minor"], p["cost_borne_by"], p["order_id"])
            for p in made] == [("we_owe", "parts", 15000, "dealer", None)]
    # The whole ledger, filtered: open ones by the salesperson, then the kept ones (none).
    page.goto(f"{live_server}/apps/dealership/promises")
    page.click("a:has-text('All promises')")
    page.select_option("#q-status", "open")
    page.select_option("#q-member", d.members["sales_manager"])
    page.click("button:has-text('Filter')")
    page.wait_for_url("**status=open**")
    assert page.locator("section[aria-labelledby=h-ledger] li:has-text('A second key')"
                        ).count() == 1
    assert_accessible(page, "all promises")
    page.select_option("#q-status", "kept")
    page.click("button:has-text('Filter')")
    page.wait_for_url("**status=kept**")
    assert page.locator("section[aria-labelledby=h-ledger] li").count() == 0
    _clean(tab, refusals=11)


@pytest.mark.parametrize(("language", "catalogue_words", "order_words"), [
    ("uk", ("Автомобілі", "Склад", "Додати автомобіль"),
     ("зарахування продажу", "Змінити колір", "Повернути завдаток")),
    ("ru", ("Автомобили", "Склад", "Добавить автомобиль"),
     ("зачёт продажи", "Изменить цвет", "Вернуть задаток")),
])
def test_the_new_screens_in_ukrainian_and_russian(tab, live_server, deal, language,
                                                   catalogue_words, order_words):
    d, _v, o, email, password = deal
    page = tab.page
    page.set_extra_http_headers({"Accept-Language": language})
    _sign_in(page, live_server, d.tenant.slug, email, password)
    page.goto(f"{live_server}/apps/dealership/catalogue")
    assert page.locator("html").get_attribute("lang") == language
    main = page.inner_text("main")
    for word in catalogue_words:
        assert word in main, (language, word)
    for english in ("Vehicles", "Stock", "Add a vehicle", "Add a stock unit", "Filter"):
        assert english not in main, (language, english)
    assert_accessible(page, f"catalogue in {language}")
    page.goto(f"{live_server}/apps/dealership/orders/{o['id']}")
    spec = page.inner_text("section[aria-labelledby=h-spec]") + page.inner_text(
        "section[aria-labelledby=h-money]")
    for word in order_words:
        assert word in spec, (language, word)
    for english in ("Stock unit", "Colour and options", "Credit split", "Refund a deposit"):
        assert english not in spec, (language, english)
    page.goto(f"{live_server}/apps/dealership/contests")
    assert "Start a sales contest" not in page.inner_text("main")
    console_shot(tab, f"dealership-catalogue-{language}")
    _clean(tab)
