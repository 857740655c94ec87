"""Boards on a choice field and the pipelines editor in a real headless Chromium: contacts
grouped by a custom "one of a list" field, a card moved with its "Move to…" control by
keyboard (focus lands on the moved card once htmx has settled, the move is announced) and
by dragging (the same form, static/board.js), the grouped list; then Settings → pipelines
and stages: a stage added and moved up. axe-core on each screen; the board at 375 px."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.browser import assert_accessible, console_shot, sign_in_page
from tests.conftest import sign_up
from tests.console.test_browser_journey import _clean, _focused


def test_a_board_on_a_custom_field_and_the_stage_editor(tab, live_server):
    api = httpx.Client(base_url=live_server)
    t = sign_up(api)
    r = api.post("/api/v1/fields", headers=t.headers, json={
        "key": "segment", "entity": "contact", "type": "enum", "label": "Segment",
        "options": ["retail", "wholesale", "horeca"]})
    assert r.status_code == 201, r.text
    ids = {}
    for given, segment in (("Olena", "retail"), ("Petro", "retail"), ("Iryna", "wholesale")):
        r = api.post("/api/v1/contacts", headers=t.headers, json={
            "given_name": given, "family_name": "Bakery", "fields": {"custom.segment": segment}})
        ids[given] = r.json()["id"]
    page = tab.page
    sign_in_page(page, live_server, t.slug, t.owner_email, t.owner_password)

    # From the list: "Group by…", then the segment field.
    page.click("nav.mainnav >> text=Contacts")
    page.click("text=Group by…")
    page.wait_for_url("**/boards/contacts?by=owner")
    page.select_option("#group-by", "custom.segment")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/boards/contacts?by=custom.segment*")
    olena = f"#card-{ids['Olena']}"
    expect(page.locator(f"section[data-column=retail] {olena}")).to_have_count(1)
    assert_accessible(page, "board")

    # By keyboard: choose the column, then press Move.
    page.select_option(f"#to-{ids['Olena']}", "horeca")
    page.focus(f"#move-{ids['Olena']} button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"section[data-column=horeca] {olena}")
    _focused(page, f"card-{ids['Olena']}")
    expect(page.locator("#announcer")).to_contain_text("Moved “Olena Bakery” to “horeca”.")
    console_shot(tab, "boards-contacts")

    # By dragging: the drop submits the card's own form.
    petro = f"#card-{ids['Petro']}"
    page.drag_and_drop(petro, "section[data-column=wholesale]")
    page.wait_for_selector(f"section[data-column=wholesale] {petro}")
    _focused(page, f"card-{ids['Petro']}")
    got = api.get(f"/api/v1/contacts/{ids['Petro']}", headers=t.headers).json()
    assert got["fields"]["custom.segment"] == "wholesale"
    _clean(tab)

    # The grouped list, and the board on a phone (the columns scroll inside the board).
    page.check("input[name=layout][value=list]")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**layout=list*")
    expect(page.locator("section.group").first).to_be_visible()
    assert_accessible(page, "grouped list")
    console_shot(tab, "boards-grouped-list")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server}/boards/contacts?by=custom.segment")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 900})

    # Settings → pipelines and stages: add a stage, move it up, see it on the deals board.
    page.goto(f"{live_server}/settings/pipelines")
    page.fill("#n-label-deals-pipeline", "Site visit")
    page.fill("#n-key-deals-pipeline", "site_visit")
    page.click("text=Save stages")
    page.wait_for_url("**/settings/pipelines?done=added*")
    expect(page.locator("[role=status]")).to_contain_text("Stage added.")
    page.click("button[aria-label='Move Site visit up']")
    page.wait_for_url("**/settings/pipelines?done=moved*")
    assert_accessible(page, "pipelines")
    console_shot(tab, "settings-pipelines")
    page.goto(f"{live_server}/deals")
    expect(page.locator("section[data-stage=site_visit] h2")).to_have_text("Site visit")
    _clean(tab)
