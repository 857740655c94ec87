"""Keyboard shortcuts in a real Chromium: ``?`` opens the list (a modal dialog with a
name; Esc closes it and focus comes back), ``g c`` / ``g d`` / ``g h`` go to contacts,
deals and home, ``/`` focuses the page's search; keys typed into a field are left alone.
Everything from static/shortcuts.js: no CSP violation, no script error."""

from __future__ import annotations

import httpx

from tests.browser import assert_accessible, sign_in_page
from tests.conftest import unique


def test_keyboard_shortcuts(tab, live_server):
    page = tab.page
    slug = unique("keys")
    email, password = f"ivan@{slug}.example.com", "correct horse battery staple"
    assert httpx.post(f"{live_server}/api/v1/signup", json={
        "organization": {"name": "Keys", "slug": slug},
        "admin": {"email": email, "password": password, "full_name": "Ivan Keys"},
    }).status_code == 201
    sign_in_page(page, live_server, slug, email, password)

    page.keyboard.press("?")
    shown = page.locator("dialog#shortcuts")
    shown.wait_for(state="visible")
    assert page.evaluate("document.getElementById('shortcuts').open")
    assert "g" in shown.inner_text() and shown.get_attribute("aria-labelledby")
    assert_accessible(page, "shortcuts dialog")
    page.keyboard.press("Escape")
    shown.wait_for(state="hidden")

    page.keyboard.press("g")
    page.keyboard.press("c")
    page.wait_for_url("**/contacts")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("g d")  # typed into the search box: no navigation
    assert page.url.endswith("/contacts") or "/contacts?" in page.url
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("g")
    page.keyboard.press("d")
    page.wait_for_url("**/deals")
    page.keyboard.press("g")
    page.keyboard.press("h")
    page.wait_for_url(live_server + "/")
    assert tab.csp_violations() == []
    assert not [e for e in tab.console_errors if "shortcuts" in e]
