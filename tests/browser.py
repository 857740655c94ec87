"""A real headless Chromium for tests of pages: the docs under /schema, the console.

Fixtures (loaded by tests/conftest.py through ``pytest_plugins``):

- ``live_server``: the app behind uvicorn on 127.0.0.1 for the session; its base URL.
- ``browser``: Debian's Chromium (``make test`` installs it), driven by Playwright, launched
  once per session. Tests are skipped, saying why, only when no Chromium is there.
- ``tab``: a fresh browser context and page per test, with every request that is not to
  127.0.0.1 refused and recorded (the network beyond loopback does not exist), console
  errors and Content-Security-Policy violations collected, and a screenshot saved under
  ``.artifacts/screenshots/`` when the test ends.

Playwright is used for its Python API only: ``playwright install`` (which downloads its own
browsers) is never needed; ``RAPPORT_CHROMIUM`` names another binary.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn

from rapport.app import create_app
from tests.conftest import make_settings, unique

SCREENSHOTS = Path(__file__).resolve().parent.parent / ".artifacts" / "screenshots"
DOC_IMAGES = Path(__file__).resolve().parent.parent / "docs" / "img"


def console_shot(tab: Any, name: str) -> None:
    """Save the page as ``console-<name>.png`` among the artifacts; with
    ``RAPPORT_DOC_IMAGES=1`` also into docs/img/, where docs/console.md shows it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"console-{name}.png"
    tab.page.screenshot(path=str(path), full_page=True)
    if os.environ.get("RAPPORT_DOC_IMAGES") == "1":
        DOC_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOC_IMAGES / path.name)
# axe-core from the npm registry (``npm pack axe-core@4``; MPL-2.0, LICENSE beside it).
AXE = Path(__file__).resolve().parent / "assets" / "axe" / "axe.min.js"
AXE_FAILING = frozenset({"serious", "critical"})
LOOPBACK = frozenset({"127.0.0.1"})
# Recorded in every page before its own scripts run; an init script is not bound by the CSP.
_WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


def chromium_path() -> str | None:
    """The Chromium to drive: ``RAPPORT_CHROMIUM`` or the first of Debian's names on PATH."""
    if configured := os.environ.get("RAPPORT_CHROMIUM"):
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None


@pytest.fixture(scope="session")
def live_server(database) -> Iterator[str]:
    """The app behind a real uvicorn on a free loopback port, for the whole session."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(make_settings(), database.app_url), log_level="warning", lifespan="on"
        )
    )
    thread = threading.Thread(
        target=lambda: asyncio.run(server.serve(sockets=[listening])), daemon=True
    )
    thread.start()
    # Up to 120 s: two test workers and others' runs may share the machine's 2 cores.
    deadline = time.monotonic() + 120
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    base = f"http://127.0.0.1:{listening.getsockname()[1]}"
    # The first request for the OpenAPI document builds it (several seconds on a busy
    # machine, then cached): made here, within the readiness wait, so that tests using an
    # HTTP client's default 5 s timeout time the server, not that one-off build.
    try:
        httpx.get(f"{base}/schema/openapi.json", timeout=120).raise_for_status()
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listening.close()


# Module scope, not session: Playwright's sync API keeps an event loop running in the main
# thread while it is started, and every later test that calls asyncio.run() (services,
# the CLI, the worker) would fail with "cannot be called from a running event loop".
# Stopping it after each browser module costs one Chromium launch per module.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "no Chromium: `make test` installs Debian's chromium package "
            "(apt-get install chromium); or set RAPPORT_CHROMIUM to a Chromium binary"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is a dev dependency: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                # Root in a container has no user namespaces for Chromium's sandbox.
                "--no-sandbox",
                # Names other than loopback do not resolve: a second wall behind the
                # request filter in ``tab``, for anything the browser fetches by itself.
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Tab:
    """One test's page and what it tried that a test may want to refuse."""

    page: Any
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return list(self.page.evaluate("window.__cspViolations || []"))


def axe_violations(page: Any, impacts: frozenset[str] = AXE_FAILING) -> list[str]:
    """Run axe-core on the page as it is now; its violations of ``impacts``, one line each.

    axe is evaluated through Playwright (``page.evaluate`` runs over the DevTools protocol,
    which the page's CSP does not govern): ``add_script_tag`` would insert an inline script,
    which the console's CSP (``script-src 'self'``) refuses. Nothing is loaded from the
    network and the page's own policy stays in force for everything else."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    found = page.evaluate(
        """async () => {
          const result = await window.axe.run(document, {resultTypes: ['violations']});
          return result.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
          }));
        }"""
    )
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {', '.join(v['nodes'])}"
        for v in found if v["impact"] in impacts
    ]


def assert_accessible(page: Any, where: str = "") -> None:
    """No serious or critical axe-core violation on the page."""
    problems = axe_violations(page)
    assert not problems, f"axe-core on {where or page.url}:\n" + "\n".join(problems)


@pytest.fixture
def tab(browser, request: pytest.FixtureRequest) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # Two test workers share 2 cores (with Chromium): a waited-for state gets 30 s.
    context.set_default_timeout(30_000)
    context.add_init_script(_WATCH_CSP)
    page = context.new_page()
    opened = Tab(page)

    def only_loopback(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOOPBACK:
            route.continue_()
        else:
            opened.blocked.append(url)
            route.abort("internetdisconnected")

    context.route("**/*", only_loopback)
    page.on(
        "console", lambda m: opened.console_errors.append(m.text) if m.type == "error" else None
    )
    try:
        yield opened
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        try:
            # An artifact, not a check: a busy machine (two workers) gets a minute for it.
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True,
                            timeout=60_000)
        finally:
            context.close()


class Owner(NamedTuple):
    """An organization signed up over HTTP, its owner signed in to the API."""

    slug: str
    email: str
    password: str
    api: httpx.Client
    headers: dict[str, str]


def sign_up_over_http(live_server: str, prefix: str, organization: str,
                      full_name: str) -> Owner:
    """A new organization on the live server, as a browser test starts: its slug, the
    owner's e-mail (their first name at the slug) and password, an API client, and the
    bearer header of the owner's session."""
    slug = unique(prefix)
    email = f"{full_name.split()[0].lower()}@{slug}.example.com"
    password = "correct horse battery staple"
    api = httpx.Client(base_url=live_server)
    r = api.post("/api/v1/signup", json={
        "organization": {"name": organization, "slug": slug},
        "admin": {"email": email, "password": password, "full_name": full_name},
    })
    assert r.status_code == 201, r.text
    r = api.post("/api/v1/auth/login",
                 json={"tenant": slug, "email": email, "password": password})
    assert r.status_code == 200, r.text
    return Owner(slug, email, password, api, {"Authorization": f"Bearer {r.json()['access_token']}"})


def sign_in_page(page: Any, base: str, slug: str, email: str, password: str) -> None:
    """Sign in through the console's form, as a person does, and land on the home page."""
    page.goto(f"{base}/sign-in?tenant={slug}")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(base + "/")
