"""The members' report in a real headless Chromium: an owner opens it from the navigation,
sees a busy member with no deals marked "busy, few results" and their own interactions,
deals and funnel unmarked, a backwards period is
refused beside the field, the page reads in Ukrainian and Russian, and axe finds nothing
serious. Screenshots go to .artifacts/screenshots/ (docs/img/ too with RAPPORT_DOC_IMAGES=1).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.browser import assert_accessible, console_shot, sign_in_page
from tests.conftest import add_member, login, sign_up, unique


def test_the_members_report_page(tab, live_server):
    page = tab.page
    api = httpx.Client(base_url=live_server, timeout=60)
    t = sign_up(api, unique("mbr"))
    slug, email, password, headers = t.slug, t.owner_email, t.owner_password, t.headers
    busy_email = f"busy@{slug}.example.com"
    busy = add_member(api, t, busy_email, full_name="Bohdan Busy",
                      password="busy member password")
    busy_headers = {"Authorization": "Bearer "
                    + login(api, slug, busy_email, "busy member password")}
    person = api.post("/api/v1/contacts", json={"given_name": "Marta"}, headers=headers)
    now = datetime.now(UTC)
    for who, days in [(headers, 1), (headers, 2), *((busy_headers, d) for d in range(1, 7))]:
        r = api.post("/api/v1/interactions", headers=who, json={
            "contact_id": person.json()["id"], "kind": "call",
            "occurred_at": (now - timedelta(days=days)).isoformat()})
        assert r.status_code == 201, r.text
    for amount in ("900", None):
        body = {"title": "Sofa", **({"amount": amount, "currency": "UAH"} if amount else {})}
        deal = api.post("/api/v1/deals", json=body, headers=headers).json()
        if amount:
            assert api.post(f"/api/v1/deals/{deal['id']}/transitions/win", json={},
                            headers=headers).status_code == 200

    sign_in_page(page, live_server, slug, email, password)
    page.click("nav >> text=Members' results")
    page.wait_for_url("**/reports/members")
    assert page.locator("#members-report tbody tr").count() == 2
    lagging = page.locator(f"#member-{busy['id']}")
    assert "busy, few results" in lagging.locator("th").inner_text()
    assert lagging.locator(".funnel").inner_text() == "6 → 0 (0%) → 0"
    row = page.locator("#members-report tbody tr:not(.lagging)")
    cells = row.locator("td").all_inner_texts()
    assert cells[:4] == ["2", "2", "1", "0"], cells
    assert "UAH" in cells[4] or "₴" in cells[4]
    assert row.locator(".funnel").inner_text() == "2 → 2 (100%) → 1 (50%)"
    assert "median number of interactions (4 here)" in page.locator("#members-rule").inner_text()
    console_shot(tab, "members-report")
    # the CSV of the same period, fetched with the console's session cookie
    link = page.locator("#members-csv")
    assert link.inner_text() == "Download CSV"
    csv = page.request.get(live_server + link.get_attribute("href"))
    assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
    header = csv.text().splitlines()[0].split(",")
    assert header[:3] == ["member_id", "member_name", "role"] and "kind:call" in header
    assert len(csv.text().splitlines()) == 3
    assert_accessible(page, "members' report")

    today = now.date()
    page.fill("#f-from", today.isoformat())
    page.fill("#f-to", (today - timedelta(days=3)).isoformat())
    page.click("#members-period button[type=submit]")
    page.wait_for_selector("#members-period .error, #members-period [aria-invalid=true]")
    assert "on or before the last day" in page.locator("#members-period").inner_text()
    assert page.input_value("#f-from") == today.isoformat()

    for lang, title in (("uk", "Результати працівників"), ("ru", "Результаты сотрудников")):
        page.set_extra_http_headers({"Accept-Language": lang})
        page.goto(f"{live_server}/reports/members")
        assert page.locator("h1").inner_text() == title
        assert page.locator("#members-csv").inner_text() == {
            "uk": "Завантажити CSV", "ru": "Скачать CSV"}[lang]
        console_shot(tab, f"members-report-{lang}")
