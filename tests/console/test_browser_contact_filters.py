"""The contact list's filter picker offers the analysis classes (``rapport_contact_filters``)
in a real headless Chromium: after a recompute, an owner adds "ABC class is A" by keyboard
and sees only the A customers, with the chip in words; a refused value is shown; the filter
is saved as a view that reads the same contacts again; the picker in Ukrainian and Russian
names the fields in the reader's language; axe finds nothing serious."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from tests.browser import assert_accessible, console_shot, sign_in_page, sign_up_over_http
from tests.console.test_browser_analytics import _worker_pass


def test_filtering_the_contact_list_by_analysis_class(tab, live_server, database):
    page = tab.page
    slug, email, password, api, headers = sign_up_over_http(
        live_server, "cflt", "Крамниця", "Oksana Melnyk")
    now = datetime.now(UTC)
    people = {}
    for i, name in enumerate(("Marta", "Ostap", "Yurii", "Solomiia", "Taras", "Nina")):
        r = api.post("/api/v1/contacts", json={"given_name": name}, headers=headers)
        assert r.status_code == 201, r.text
        people[name] = r.json()["id"]
        for k in range(6 - i):
            r = api.post("/api/v1/transactions", headers=headers, json={
                "currency": "UAH", "amount": f"{(6 - i) ** 3 * 100 + k}", "channel": "store",
                "contact_id": people[name],
                "occurred_at": (now - timedelta(days=2 + 40 * i + 25 * k)).isoformat()})
            assert r.status_code == 201, r.text
    r = api.post("/api/v1/contacts", json={"given_name": "Vira"}, headers=headers)  # no class
    assert r.status_code == 201, r.text
    assert api.post("/api/v1/analytics/recompute", headers=headers, json={}).status_code == 202
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, _worker_pass(database.app_url)).result() == 1
    want = {name for name, cid in people.items()
            if api.get(f"/api/v1/analytics/contacts/{cid}", headers=headers).json()["abc"] == "A"}
    assert want and "Marta" in want and len(want) < len(people)

    sign_in_page(page, live_server, slug, email, password)
    page.goto(f"{live_server}/contacts")

    # The picker offers the classes; by keyboard: open the tools, choose, type, Enter.
    page.locator("details.list-tools > summary").focus()
    page.keyboard.press("Enter")
    group = page.locator("#f-add_field optgroup[label='Analysis and modules']")
    offered = group.locator("option").all_inner_texts()
    assert {"ABC class", "XYZ class", "RFM cell", "Lifetime value"} <= set(offered)
    assert "ABC class: A, B, C" in page.locator("ul.hint").inner_text()
    page.select_option("#f-add_field", "analytics.abc")
    page.select_option("#f-add_op", "eq")
    page.locator("#f-add_value").focus()
    page.keyboard.type("A")
    page.keyboard.press("Enter")
    page.wait_for_url("**/contacts?*filter=analytics.abc*")
    rows = page.locator("#contact-rows tr.row")
    assert rows.count() == len(want)
    shown = " ".join(rows.all_inner_texts())
    assert all(name in shown for name in want) and "Vira" not in shown
    assert page.locator("ul.chips .tag").inner_text().strip() == "ABC class is A"
    console_shot(tab, "contact-list-class-filter")
    assert_accessible(page, "contacts filtered by ABC class")

    # Saved as a view, it reads the same contacts again.
    page.locator("details.list-tools > summary").focus()
    page.keyboard.press("Enter")
    page.locator("#f-name").focus()
    page.keyboard.type("A customers")
    page.keyboard.press("Enter")
    page.wait_for_url("**/contacts?view=*")
    page.goto(f"{live_server}/contacts")
    page.click("nav.views >> text=A customers")
    page.wait_for_url("**/contacts?view=*")
    assert page.locator("#contact-rows tr.row").count() == len(want)

    # A value the class does not take is refused in words, the list not shown.
    page.goto(f"{live_server}/contacts?filter=analytics.abc:eq:Q")
    assert "must be one of: A, B, C" in page.locator("body").inner_text()
    assert page.locator("#contact-rows tr.row").count() == 0

    for lang, label, group_label in (("uk", "Клас ABC", "Аналіз і модулі"),  # noqa: RUF001
                                     ("ru", "Класс ABC", "Анализ и модули")):
        page.set_extra_http_headers({"Accept-Language": lang})
        page.goto(f"{live_server}/contacts?filter=analytics.abc:eq:A")
        assert page.locator("#contact-rows tr.row").count() == len(want)
        assert page.locator("ul.chips .tag").inner_text().startswith(label)
        group = page.locator(f"#f-add_field optgroup[label='{group_label}']")
        assert label in group.locator("option").all_text_contents()  # the tools are closed
        assert_accessible(page, f"contacts filtered by ABC class ({lang})")
