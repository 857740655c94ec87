"""The members' report in a real headless Chromium: an owner opens it from the navigation,
sees their interactions, deals and the funnel for the chosen period, a backwards period is
refused beside the field, the page reads in Ukrainian and Russian, and axe finds nothing
serious. Screenshots go to .artifacts/screenshots/ (docs/img/ too with RAPPORT_DOC_IMAGES=1).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.browser import assert_accessible, console_shot
from tests.conftest import unique


def test_the_members_report_page(tab, live_server):
    page = tab.page
    slug = unique("mbr")
    email, password = f"olena@{slug}.example.com", "correct horse battery staple"
    api = httpx.Client(base_url=live_server)
    assert api.post("/api/v1/signup", json={
        "organization": {"name": "Салон", "slug": slug},
        "admin": {"email": email, "password": password, "full_name": "Olena Bondar"},
    }).status_code == 201
    token = api.post("/api/v1/auth/login", json={"tenant": slug, "email": email,
                                                 "password": password}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    person = api.post("/api/v1/contacts", json={"given_name": "Marta"}, headers=headers)
    now = datetime.now(UTC)
    for days in (1, 2, 3, 4):
        r = api.post("/api/v1/interactions", headers=headers, json={
            "contact_id": person.json()["id"], "kind": "call",
            "occurred_at": (now - timedelta(days=days)).isoformat()})
        assert r.status_code == 201, r.text
    for amount in ("900", None):
        body = {"title": "Sofa", **({"amount": amount, "currency": "UAH"} if amount else {})}
        deal = api.post("/api/v1/deals", json=body, headers=headers).json()
        if amount:
            assert api.post(f"/api/v1/deals/{deal['id']}/transitions/win", json={},
                            headers=headers).status_code == 200

    page.goto(f"{live_server}/sign-in?tenant={slug}")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(live_server + "/")
    page.click("nav >> text=Members' results")
    page.wait_for_url("**/reports/members")
    row = page.locator("#members-report tbody tr")
    assert row.count() == 1
    cells = row.locator("td").all_inner_texts()
    assert cells[:4] == ["4", "2", "1", "0"], cells
    assert "UAH" in cells[4] or "₴" in cells[4]
    assert row.locator(".funnel").inner_text() == "4 → 2 (50%) → 1 (50%)"
    assert "median" in page.locator("#members-rule").inner_text()
    console_shot(tab, "members-report")
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
        console_shot(tab, f"members-report-{lang}")
