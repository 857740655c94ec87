"""The Federation console page in a real headless Chromium, as the clinic's owner (peers are
managed by owners and admins; no clinical data is touched): register an inbound peer (a
missing JWKS URL refused beside its field, the name kept), see it listed with what to give
the other clinic, register an outbound one, rotate the inbound peer's keys URL, remove both
(the outbound one forgotten, the inbound one kept as removed) — each checked on the page and through the API; axe-core and no horizontal
scrolling at 375 px; then the page in Ukrainian and in Russian."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.browser import assert_accessible, console_shot, sign_in_page
from tests.plugins.medical.support import Clinic, clinic

PEERS = "/api/v1/medical/federation/peers"


@pytest.fixture(scope="module")
def owner(live_server) -> Iterator[Clinic]:
    """A clinic with the medical module on (the owner alone: peers are the owner's)."""
    with httpx.Client(base_url=live_server, timeout=60) as api:
        yield clinic(api, roles=())


def _sign_in(page, base: str, c: Clinic) -> None:
    sign_in_page(page, base, c.slug, c.tenant.owner_email, c.tenant.owner_password)


def _clean(tab, refusals: int = 0) -> None:
    """No CSP violation, no request off the machine, no script error: the only console
    errors are Chromium's notes of the ``refusals`` forms answered 422 on purpose."""
    assert tab.csp_violations() == []
    assert tab.blocked == []
    refused = [e for e in tab.console_errors if "status of 422" in e]
    assert len(refused) == refusals and len(tab.console_errors) == refusals, tab.console_errors


def _peers(base: str, c: Clinic) -> dict[str, dict]:
    r = httpx.get(base + PEERS, headers=c.as_("owner"))
    assert r.status_code == 200, r.text
    return {p["name"]: p for p in r.json()}


def test_add_list_rotate_and_remove_peers(tab, live_server, owner):
    page = tab.page
    _sign_in(page, live_server, owner)
    page.click("nav.mainnav >> text=Federation")
    page.wait_for_url("**/apps/medical/federation")
    assert "No federation peers yet." in page.inner_text("main")
    assert_accessible(page, "federation, no peers")

    # Inbound without its keys: refused beside the field, the name kept to correct.
    page.fill("#f-name", "Rehab Centre B")
    page.select_option("#f-direction", "inbound")
    page.click("button[type=submit]:has-text('Register')")
    page.wait_for_selector("#f-jwks_url-error")
    assert page.input_value("#f-name") == "Rehab Centre B"
    assert_accessible(page, "peer refused")
    page.fill("#f-jwks_url", "https://b.example.org/jwks.json")
    page.click("button[type=submit]:has-text('Register')")
    page.wait_for_selector("[role=status]:has-text('Peer registered.')")
    inbound = page.locator("li[id^=peer-]", has_text="Rehab Centre B")
    text = inbound.inner_text()
    assert "reads from us" in text and "https://b.example.org/jwks.json" in text
    assert "Give the other clinic the client id" in text
    assert "/api/v1/medical/federation/token" in text

    # Outbound: what the other clinic gave us.
    page.fill("#f-name", "Lab C")
    page.select_option("#f-direction", "outbound")
    page.fill("#f-client_id", "urn:rapport:medical:lab-c")
    page.fill("#f-token_url", "https://c.example.org/api/v1/medical/federation/token")
    page.fill("#f-fhir_base_url", "https://c.example.org/api/v1/medical/fhir")
    page.click("button[type=submit]:has-text('Register')")
    page.wait_for_selector("li[id^=peer-]:has-text('Lab C')")
    assert page.locator("li[id^=peer-]").count() == 2
    listed = _peers(live_server, owner)
    assert (listed["Rehab Centre B"]["direction"], listed["Lab C"]["direction"]) == (
        "inbound", "outbound")
    assert listed["Lab C"]["client_id"] == "urn:rapport:medical:lab-c"

    # Rotate the inbound peer's keys URL.
    inbound = page.locator("li[id^=peer-]", has_text="Rehab Centre B")
    inbound.locator("summary").click()
    inbound.locator("input[name=jwks_url]").fill("https://b.example.org/keys-2027.json")
    inbound.get_by_role("button", name="Save").click()
    page.wait_for_selector("[role=status]:has-text('Saved.')")
    assert "keys-2027.json" in page.inner_text("li[id^=peer-]:has-text('Rehab Centre B')")
    assert _peers(live_server, owner)["Rehab Centre B"]["jwks_url"] == (
        "https://b.example.org/keys-2027.json")

    # Remove the outbound one: forgotten, and the notice says so.
    lab_id = listed["Lab C"]["id"]
    page.locator("li[id^=peer-]", has_text="Lab C").get_by_role("button", name="Remove").click()
    page.wait_for_selector("[role=status]:has-text('We no longer read from this clinic.')")
    assert page.locator("li[id^=peer-]", has_text="Lab C").count() == 0
    assert httpx.get(f"{live_server}{PEERS}/{lab_id}",
                     headers=owner.as_("owner")).status_code == 404
    # Remove the inbound one: kept, marked removed (its consents end), its buttons gone.
    rehab = page.locator("li[id^=peer-]", has_text="Rehab Centre B")
    rehab.get_by_role("button", name="Remove").click()
    page.wait_for_selector("[role=status]:has-text('Its consents have ended')")
    rehab = page.locator("li[id^=peer-]", has_text="Rehab Centre B")
    assert "removed" in rehab.inner_text()
    assert rehab.get_by_role("button").count() == 0
    assert _peers(live_server, owner)["Rehab Centre B"]["removed_at"]
    console_shot(tab, "medical-federation")
    assert_accessible(page, "federation with peers")

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "federation at 375 px")
    console_shot(tab, "medical-federation-375px")
    _clean(tab, refusals=1)


@pytest.mark.parametrize(("language", "words"), [
    ("uk", ("Клініки в інших розгортаннях", "Зареєструвати клініку з іншого розгортання",
            "читає в нас", "вилучено")),
    ("ru", ("Клиники в других развёртываниях",
            "Зарегистрировать клинику из другого развёртывания", "читает у нас", "удалено")),  # noqa: RUF001
])
def test_the_federation_page_in_ukrainian_and_russian(tab, live_server, owner, language,
                                                      words):
    page = tab.page
    page.set_extra_http_headers({"Accept-Language": language})
    _sign_in(page, live_server, owner)
    page.goto(f"{live_server}/apps/medical/federation")
    assert page.locator("html").get_attribute("lang") == language
    main = page.inner_text("main")
    for word in words:
        assert word in main, (language, word)
    for english in ("Clinics on other deployments", "reads from us", "we read from it",
                    "Remove", "Register", "Rename or change addresses", "Outbound only"):
        assert english not in main, (language, english)
    console_shot(tab, f"medical-federation-{language}")
    assert_accessible(page, f"federation in {language}")
    _clean(tab)
