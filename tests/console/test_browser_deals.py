"""Deals and tasks in a real headless Chromium: create a deal through the form, move it
across stages with the "Move to stage…" control (keyboard and pointer alike) and by
dragging its card, see a refusal in words, then complete a task — each swap announced and
focus on the moved card or the finished task; the board at 375 px scrolls inside itself,
not the page. No CSP violation, no script error, no request off the machine.

Screenshots go to .artifacts/screenshots/ (docs/img/ too with RAPPORT_DOC_IMAGES=1).
"""

from __future__ import annotations

from tests.browser import console_shot, sign_in_page, sign_up_over_http


def _announced(page) -> str:
    """What the live region said after the last swap (polled from Python: a page function
    wait would need eval, which the CSP forbids)."""
    for _ in range(100):
        said = page.evaluate("document.getElementById('announcer').textContent")
        if said:
            return said
        page.wait_for_timeout(50)
    return ""


def test_create_a_deal_move_it_and_complete_a_task(tab, live_server):
    page = tab.page
    slug, email, password, api, headers = sign_up_over_http(
        live_server, "deals", "Млин Зерно", "Taras Melnyk")
    customer = api.post("/api/v1/contacts", json={"given_name": "Oksana", "family_name": "Bila"},
                        headers=headers).json()
    assert api.post("/api/v1/tasks", json={"title": "Send the price list",
                                           "contact_id": customer["id"],
                                           "due_at": "2020-03-01T09:00:00Z"},
                    headers=headers).status_code == 201
    api.post("/api/v1/deals", json={"title": "Older deal"}, headers=headers)

    sign_in_page(page, live_server, slug, email, password)

    # Create a deal through the form.
    page.click("nav.mainnav >> text=Deals")
    page.wait_for_url("**/deals")
    page.click("text=New deal")
    page.fill("#f-title", "Oven for the bakery")
    page.fill("#f-amount", "48000")
    page.fill("#f-currency", "UAH")
    page.select_option("#f-contact_id", customer["id"])
    console_shot(tab, "deal-form")
    page.click("button[type=submit].primary")
    page.wait_for_selector("h1:has-text('Oven for the bakery')")
    deal_id = page.url.rsplit("/", 1)[1]
    assert "Oksana Bila" in page.locator("main").inner_text()

    # Move it with the control, by keyboard: choose a stage, press Move.
    page.goto(live_server + "/deals")
    card = f"#deal-{deal_id}"
    assert page.locator(f"section[data-stage=lead] {card}").count() == 1
    page.focus(f"#stage-{deal_id}")
    page.select_option(f"#stage-{deal_id}", "qualified")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"section[data-stage=qualified] {card}")
    assert "Oven for the bakery" in _announced(page)
    assert page.evaluate("document.activeElement.id") == f"deal-{deal_id}"
    console_shot(tab, "deals-board")

    # And by dragging the card onto another column.
    page.drag_and_drop(card, "section[data-stage=proposal]")
    page.wait_for_selector(f"section[data-stage=proposal] {card}")
    assert page.evaluate("document.activeElement.id") == f"deal-{deal_id}"

    # A refused move is explained: the older deal has no amount, "Won" needs one.
    older = page.locator("section[data-stage=lead] .deal-card").first
    older.locator("select").select_option("won")
    older.locator("button[type=submit]").click()
    page.wait_for_selector("#deal-board .alert")
    assert "fill in the amount first" in page.locator("#deal-board .alert").inner_text()
    console_shot(tab, "deals-refusal")

    # The board on a phone: the columns scroll inside the board, the page does not.
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    console_shot(tab, "deals-board-375px")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Complete a task in place.
    page.click("nav.mainnav >> text=Tasks")
    page.wait_for_url("**/tasks")
    row = page.locator(".row.task", has_text="Send the price list")
    assert "overdue" in row.inner_text()
    console_shot(tab, "tasks")
    row.locator("button[type=submit]").click()
    page.wait_for_selector(".row.task.done")
    assert "completed" in _announced(page)
    assert page.evaluate("document.activeElement.classList.contains('done')")

    # Organizations: create one, find it as you type.
    page.click("nav.mainnav >> text=Organizations")
    page.click("text=New organization")
    page.fill("#f-name", "Zerno Mills")
    page.fill("#f-industry", "Flour")
    page.click("button[type=submit].primary")
    page.wait_for_selector("h1:has-text('Zerno Mills')")
    page.goto(live_server + "/organizations")
    page.locator("#org-q").press_sequentially("zer", delay=40)
    page.wait_for_url("**/organizations?q=zer")
    assert "Zerno Mills" in page.locator("#organization-results").inner_text()
    console_shot(tab, "organizations")

    assert tab.csp_violations() == []
    assert tab.console_errors == []
    assert tab.blocked == []
    deal = api.get(f"/api/v1/deals/{deal_id}", headers=headers).json()
    assert deal["stage"]["key"] == "proposal"
