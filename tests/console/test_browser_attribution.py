"""The attribution screen in a real headless Chromium: a purchase after an ad impression and
a message of a campaign, credited by the chosen model per channel and campaign, as the API
says; in Ukrainian; axe finds nothing serious."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.browser import assert_accessible, console_shot, sign_in_page, sign_up_over_http


def test_credit_per_channel_and_campaign(tab, live_server):
    page = tab.page
    slug, email, password, api, headers = sign_up_over_http(
        live_server, "attr", "Shop", "Roman Shop")
    contact = api.post("/api/v1/contacts", headers=headers, json={
        "given_name": "Iryna", "family_name": "Koval"}).json()["id"]
    now = datetime.now(UTC)
    for days, kind, channel in ((3, "ad_impression", "display"), (1, "message", "email")):
        assert api.post("/api/v1/interactions", headers=headers, json={
            "contact_id": contact, "kind": kind, "channel": channel, "campaign": "Spring",
            "occurred_at": (now - timedelta(days=days)).isoformat()}).status_code == 201
    assert api.post("/api/v1/transactions", headers=headers, json={
        "currency": "EUR", "channel": "store", "contact_id": contact,
        "occurred_at": (now - timedelta(hours=1)).isoformat(),
        "lines": [{"product": "Coat", "quantity": "1", "unit_price": "90"}]}).status_code == 201

    sign_in_page(page, live_server, slug, email, password)
    page.click("nav >> text=Attribution")
    page.wait_for_url("**/attribution")
    page.wait_for_selector("#attribution-summary >> text=1 of 1")
    assert "email" in page.locator("#attribution-channels").inner_text()
    assert "display" not in page.locator("#attribution-channels").inner_text()
    page.select_option("#f-model", "linear")
    page.click("#attribution-form button[type=submit]")
    page.wait_for_selector("#attribution-channels >> text=display")
    channels = page.locator("#attribution-channels").inner_text()
    assert "0.50" in channels and "45.00 EUR" in channels
    assert "1.00" in page.locator("#attribution-campaigns").inner_text()
    console_shot(tab, "attribution")
    assert_accessible(page, "attribution")
    page.set_extra_http_headers({"Accept-Language": "uk"})
    page.reload()
    page.wait_for_selector("text=За каналами")  # noqa: RUF001
    assert page.locator("#f-model option:checked").inner_text() == "Рівномірно"
