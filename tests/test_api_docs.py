"""The API reference at /schema works on a machine without internet: its assets come from
our own origin, a real Chromium that can reach nothing but 127.0.0.1 renders the operations,
and the page runs under the same strict Content-Security-Policy as the API."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Error as PlaywrightError

from rapport.web.api_docs import ASSETS
from rapport.web.security_headers import CSP

_SCROLL_AND_COLLECT = """async () => {
  const seen = new Map();
  const collect = () => document.querySelectorAll('.opblock').forEach((block) => {
    const method = block.querySelector('.opblock-summary-method').textContent;
    const path = block.querySelector('.opblock-summary-path').dataset.path;
    seen.set(`${method} ${path}`, [method, path]);
  });
  const settle = () => new Promise((done) => setTimeout(done, 50));
  for (let before = -1; window.scrollY !== before; ) {
    before = window.scrollY;
    collect();
    window.scrollBy(0, window.innerHeight / 2);
    await settle();
  }
  collect();
  window.scrollTo(0, 0);
  return [...seen.values()];
}"""


def test_schema_page_lists_the_operations_with_no_network_beyond_loopback(live_server, tab):
    document = httpx.get(f"{live_server}/schema/openapi.json").json()
    page = tab.page
    page.goto(f"{live_server}/schema")
    documented = {
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    # Swagger UI parses and lays out a document of ~400 operations first: seconds on a
    # quiet machine, past the browser's default 30 s when two test workers share 2 cores.
    page.wait_for_selector(".opblock", timeout=120_000)
    # Swagger UI renders only what is on screen once a document has 150 tags and
    # operations: scroll to the end, noting every operation that appears on the way.
    shown = {
        (method.lower(), path.replace("\u200b", ""))  # it breaks long paths with these
        for method, path in page.evaluate(_SCROLL_AND_COLLECT)
    }
    assert documented and shown == documented, sorted(documented ^ shown)[:10]
    assert tab.blocked == []
    assert tab.csp_violations() == []
    assert tab.console_errors == []


def test_docs_page_and_its_assets_come_from_our_origin_under_the_strict_policy(live_server):
    page = httpx.get(f"{live_server}/schema")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CSP
    html = page.text
    assert "<script>" not in html and "<style" not in html and "http" not in html
    for asset in re.findall(r'(?:src|href)="([^"]+)"', html):
        answer = httpx.get(f"{live_server}{asset}")
        assert answer.status_code == 200, asset
        assert answer.headers["content-security-policy"] == CSP
    assert httpx.get(f"{live_server}/schema/swagger").text == html


def test_the_shipped_assets_carry_their_licence():
    names = {p.name for p in ASSETS.iterdir()}
    assert {"swagger-ui-bundle.js", "swagger-ui.css", "LICENSE.txt", "NOTICE.txt"} <= names
    assert "Apache License" in (ASSETS / "LICENSE.txt").read_text()


def test_the_test_browser_reaches_nothing_beyond_loopback_and_reports_csp_violations(
    live_server, tab
):
    # The harness itself: what the docs test relies on to say "offline" and "strict".
    elsewhere = tab.page.context.new_page()
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        elsewhere.goto("https://cdn.jsdelivr.net/npm/swagger-ui-dist")
    assert tab.blocked == ["https://cdn.jsdelivr.net/npm/swagger-ui-dist"]
    page = tab.page
    page.goto(f"{live_server}/schema")
    page.evaluate(
        """() => { const s = document.createElement('script');
                  s.textContent = 'window.ran = 1'; document.body.append(s); }"""
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.ran") is None
    assert any(v.startswith("script-src") for v in tab.csp_violations())
