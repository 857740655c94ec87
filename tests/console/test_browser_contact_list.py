"""The contact list's work tools in a real Chromium, by keyboard: a filter, a saved view,
selecting rows and tagging them, editing a cell in place (announced, focus kept), the
customer page's previous/next and duplicate warning; axe-core and 375 px on the way."""

from __future__ import annotations

import httpx

from tests.browser import assert_accessible, console_shot, sign_in_page
from tests.conftest import unique


def test_contact_list_tools_by_keyboard(tab, live_server):
    page = tab.page
    slug = unique("list")
    email, password = f"olha@{slug}.example.com", "correct horse battery staple"
    assert httpx.post(f"{live_server}/api/v1/signup", json={
        "organization": {"name": "Lists", "slug": slug},
        "admin": {"email": email, "password": password, "full_name": "Olha Lists"},
    }).status_code == 201
    token = httpx.post(f"{live_server}/api/v1/auth/login", json={
        "tenant": slug, "email": email, "password": password}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    for i, tags in enumerate((["vip"], ["vip"], [])):
        body = {"given_name": f"Client{i}", "family_name": "Keys", "tags": tags,
                "phones": ["+380501112233"] if i < 2 else []}
        r = httpx.post(f"{live_server}/api/v1/contacts?allow_duplicate=true", json=body,
                       headers=headers)
        assert r.status_code == 201, r.text

    sign_in_page(page, live_server, slug, email, password)
    page.goto(f"{live_server}/contacts")

    # A filter, by keyboard: open the tools, choose, type, Enter.
    page.locator("details.list-tools > summary").focus()
    page.keyboard.press("Enter")
    page.select_option("#f-add_field", "tags")
    page.select_option("#f-add_op", "eq")
    page.locator("#f-add_value").focus()
    page.keyboard.type("vip")
    page.keyboard.press("Enter")
    page.wait_for_url("**/contacts?*filter=tags*")
    rows = page.locator("#contact-rows tr.row")
    assert rows.count() == 2
    assert_accessible(page, "contacts with a filter")

    # Save it as a view; it appears in the views navigation.
    page.locator("details.list-tools > summary").focus()
    page.keyboard.press("Enter")
    page.locator("#f-name").focus()
    page.keyboard.type("VIP")
    page.keyboard.press("Enter")
    page.wait_for_url("**/contacts?view=*")
    assert page.locator("nav.views a[aria-current=page]").inner_text() == "VIP"
    assert page.locator("[role=status]").inner_text().strip() == "View saved."

    # Select both rows ("Select all on this page", Space) and tag them.
    page.locator("#select-all").focus()
    page.keyboard.press("Space")
    assert page.locator("#contact-rows input[type=checkbox]:checked").count() == 2
    page.locator("#bulk-tag").focus()
    page.keyboard.type("called")
    page.locator("#bulk button[value=tag]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**done=tagged*")
    assert "added to 2 contacts" in page.locator("[role=status]").inner_text()
    assert page.locator("#contact-rows .tag", has_text="called").count() == 2

    # Edit a cell: the Edit button, Esc cancels; again, type, Enter: refused, then saved.
    edit = page.locator("#contact-rows tr.row").first.locator("button[aria-label^='Edit E-mail']")
    edit.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#contact-rows input[name=value]:focus")
    page.keyboard.press("Escape")
    page.locator("#contact-rows input[name=value]").wait_for(state="detached")
    # Focus returns to the cell's Edit button once htmx has settled the swap.
    page.wait_for_selector("#contact-rows button[aria-label^='Edit E-mail']:focus")
    page.keyboard.press("Enter")
    box = page.locator("#contact-rows input[name=value]")
    box.wait_for()
    page.wait_for_selector("#contact-rows input[name=value]:focus")  # focus in the box
    page.keyboard.type("not an address")
    page.keyboard.press("Enter")
    page.locator("#contact-rows .error").wait_for()  # refused in place
    assert page.locator("#contact-rows input[aria-invalid=true]").count() == 1
    page.locator("#contact-rows input[name=value]").fill("client@example.com")
    page.keyboard.press("Enter")
    page.locator("#contact-rows td", has_text="client@example.com").wait_for()
    page.locator("#announcer", has_text="Saved: E-mail of").wait_for(state="attached")
    console_shot(tab, "contacts-list-tools")

    # The customer page from the filtered list: next within it, and the duplicate warning.
    page.locator("#contact-rows tr.row").first.locator("a.name").click()
    page.wait_for_selector("nav.record-nav")
    assert page.locator("a[rel=next]").count() == 1
    assert "This may be the same person as" in page.locator("main").inner_text()
    assert_accessible(page, "customer page with a duplicate warning")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(f"{live_server}/contacts?filter=tags:eq:vip&col=email&col=tags&col=source")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    console_shot(tab, "contacts-list-375px")
    assert tab.csp_violations() == []
