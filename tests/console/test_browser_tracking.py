"""Tracking and sending windows in a real headless Chromium, in Ukrainian: the
organisation's tracking switch and contacts' default zone on the campaigns page, a
contact's sending window typed into the contact list, a campaign with tracking and "in
each contact's window" from the wizard; after the worker's pass the campaign page shows
the results (sent, opened, clicked after the letter's links were followed) and the
message waiting for its window; the wizard's words in Russian; axe finds nothing serious."""

# ruff: noqa: RUF001

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from tests import mailbox
from tests.browser import assert_accessible, console_shot, sign_in_page, sign_up_over_http
from tests.core.communication.support import run_pass

BODY = ('<html><body><p>{{ salutation }}!</p>'
        '<p><a href="https://shop.example/spring">Весняна колекція</a></p></body></html>')


def test_tracking_windows_and_results_in_the_console(tab, live_server, client):
    page = tab.page
    slug, email, password, api, headers = sign_up_over_http(
        live_server, "track", "Кав'ярня", "Olha Bondar")
    ids = {}
    for name in ("Олена", "Петро"):
        r = api.post("/api/v1/contacts", headers=headers, json={
            "given_name": name, "language": "uk", "tags": ["news"],
            "email": f"{'olena' if name == 'Олена' else 'petro'}@{slug}.example.com"})
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]
        assert api.post(f"/api/v1/contacts/{ids[name]}/consent", headers=headers, json={
            "channel": "email", "topic": "offers", "status": "opt_in", "source": "form",
        }).status_code == 201
    r = api.post("/api/v1/templates", headers=headers, json={
        "name": "Весна", "channel": "email", "language": "uk", "subject": "Весна",
        "body": BODY})
    assert r.status_code == 201, r.text

    page.set_extra_http_headers({"Accept-Language": "uk"})
    sign_in_page(page, live_server, slug, email, password)

    # The organisation's switch and zone.
    page.goto(f"{live_server}/campaigns")
    assert page.locator("#h-campaign-settings").inner_text() == "Відстеження і часовий пояс"
    assert page.locator("#f-tracking").is_checked()
    page.select_option("#f-time_zone", "Europe/Kyiv")
    page.click("#campaign-settings button[type=submit]")
    page.wait_for_url("**/campaigns?saved=true")
    assert_accessible(page, "campaigns with settings")
    settings = api.get("/api/v1/contacts/settings", headers=headers).json()
    assert settings["time_zone"] == "Europe/Kyiv" and settings["tracking"] is True

    # Petro may be written to in one hour only, which starts two hours from now in Kyiv
    # (the organisation's zone): his letter has to wait, whenever the test runs.
    later = datetime.now(UTC).astimezone(ZoneInfo("Europe/Kyiv")) + timedelta(hours=2)
    window = f"{later.hour:02d}:00-{(later.hour + 1) % 24:02d}:00"
    page.goto(f"{live_server}/contacts?col=email&col=time_zone&col=send_window")
    cell = f"#cell-{ids['Петро']}-send_window"
    page.click(f"{cell} button")
    page.fill(f"#edit-{ids['Петро']}-send_window", window)
    page.click(f"{cell} button[type=submit]")
    page.wait_for_selector(f"{cell} >> text={window}")
    shown = api.get(f"/api/v1/contacts/{ids['Петро']}", headers=headers).json()
    assert shown["send_window"]["start"] == window[:5]
    page.click(f"{cell} button")
    page.fill(f"#edit-{ids['Петро']}-send_window", "25:00-03:00")
    page.click(f"{cell} button[type=submit]")
    page.wait_for_selector(f"{cell} .error")

    # The wizard: tracking (ticked by default) and each contact's window.
    page.goto(f"{live_server}/campaigns/new")
    assert page.locator("#f-tracking").is_checked()
    page.fill("#f-name", "Весна")
    page.select_option("#f-template_id", label="Весна (email, uk)")
    page.fill("#f-definition", '{"filter": "tags:in:news"}')
    page.check("#f-in_contact_window")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/campaigns/*")
    assert page.locator("#campaign-tracking").inner_text() == "відкриття та переходи"
    page.click("text=Надіслати зараз")
    page.wait_for_selector("#campaign-status >> text=заплановано")
    run_pass(client)
    # Olena has no window: her letter left; Petro's waits for his hour.
    letter = mailbox.MAILBOX.sent_to(f"olena@{slug}.example.com")[-1]
    assert not mailbox.MAILBOX.sent_to(f"petro@{slug}.example.com")
    click = re.search(r"https?://[^\s\"<>]+/api/v1/track/click/[A-Za-z0-9_\-]+",
                      letter.html).group(0)
    pixel = re.search(r"https?://[^\s\"<>]+/api/v1/track/open/[A-Za-z0-9_\-]+",
                      letter.html).group(0)
    for link in (pixel, click, click):
        path = link.split("/api/v1/", 1)[1]
        answer = httpx.get(f"{live_server}/api/v1/{path}", follow_redirects=False)
        assert answer.status_code in (200, 302)
    page.reload()
    stats = page.locator("#campaign-stats")
    assert [c.inner_text() for c in stats.locator("th").all()] == [
        "Надіслано", "Доставлено", "Відкрито", "Переходи", "Повернуто", "Відписалися"]
    assert [c.inner_text() for c in stats.locator("td").all()] == ["1", "1", "1", "1", "0",
                                                                    "0"]
    rows = page.locator("#campaign-messages").inner_text()
    assert "не раніше" in rows and "відкрито, 2" in rows
    console_shot(tab, "campaign-results")
    assert_accessible(page, "campaign results")

    page.set_extra_http_headers({"Accept-Language": "ru"})
    page.goto(f"{live_server}/campaigns/new")
    assert "Отслеживать открытия и переходы" in page.locator("form.card").inner_text()
    assert "Отправлять каждому контакту в удобное ему время" in page.locator(
        "form.card").inner_text()
