"""The pipeline switcher in a real headless Chromium: an organization with two pipelines
switches its deals board from one to the other with the keyboard, the current one marked
for assistive technology, each board showing only its own deals and its own stages, the
list keeping the choice; axe finds nothing serious on the board or the pipelines settings.

Screenshots go to .artifacts/screenshots/ (docs/img/ too with RAPPORT_DOC_IMAGES=1).
"""

from __future__ import annotations

from tests.browser import assert_accessible, console_shot, sign_in_page, sign_up_over_http


def test_switch_the_board_between_pipelines(tab, live_server):
    page = tab.page
    slug, email, password, api, headers = sign_up_over_http(
        live_server, "pipes", "Сервіс Плюс", "Iryna Koval")
    renewals = api.post("/api/v1/pipelines", json={"label": "Renewals"}, headers=headers)
    assert renewals.status_code == 201, renewals.text
    r = api.put(f"/api/v1/pipelines/{renewals.json()['id']}/stages", headers=headers, json={
        "stages": [{"key": "lead", "label": "Up for renewal"}]})
    assert r.status_code == 200, r.text
    api.post("/api/v1/deals", json={"title": "New kiosk"}, headers=headers)
    api.post("/api/v1/deals", json={"title": "Service contract 2027", "pipeline": "renewals"},
             headers=headers)

    sign_in_page(page, live_server, slug, email, password)

    page.goto(f"{live_server}/deals")
    switcher = page.locator("nav.pipeline-switcher")
    current = switcher.locator("a[aria-current=page]")
    assert current.inner_text() == "Sales pipeline"
    assert page.locator(".deal-card", has_text="New kiosk").count() == 1
    assert page.locator(".deal-card", has_text="Service contract 2027").count() == 0
    assert_accessible(page, "deals board with the pipeline switcher")

    # Keyboard only: focus the other pipeline's link and press Enter.
    link = switcher.locator("a", has_text="Renewals")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/deals?pipeline=renewals")
    page.wait_for_selector(".deal-card:has-text('Service contract 2027')")
    assert switcher.locator("a[aria-current=page]").inner_text() == "Renewals"
    assert page.locator(".deal-card", has_text="New kiosk").count() == 0
    assert page.locator("#col-lead").inner_text() == "Up for renewal"
    console_shot(tab, "deals-pipeline-switcher")

    # The list keeps the pipeline the board showed.
    page.click("text=Show as a list")
    page.wait_for_url("**/deals/list?pipeline=renewals")
    page.wait_for_selector("#deal-rows >> text=Service contract 2027")
    assert page.locator("#deal-rows", has_text="New kiosk").count() == 0

    page.goto(f"{live_server}/settings/pipelines")
    page.wait_for_selector("#deal-pipelines")
    console_shot(tab, "settings-pipelines")
    assert_accessible(page, "pipelines settings")
