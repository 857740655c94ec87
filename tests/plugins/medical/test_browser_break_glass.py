"""Break-glass in a real headless Chromium: clinic B's clinician opens clinic A's patient
with no consent — a too-short reason refused beside its field with what was typed kept —
lands on the chart (sections shown, the opening noted), and sees the opening listed; A's
owner sees who opened it and why, and revokes it; B's next read is refused. Each step
checked on the page and through the API (the audit flags the reads), axe-core, 375 px
without horizontal scrolling, and the page in Ukrainian and Russian."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.browser import assert_accessible, console_shot
from tests.plugins.medical.support import Clinic, audit_entries, chart, clinic, patient

GLASS = "/api/v1/medical/break-glass"
REASON = "Unconscious in our emergency room"


@dataclass
class Pair:
    owner: Clinic  # A: the patient's clinic
    opener: Clinic  # B: the clinician who breaks the glass
    patient: dict[str, Any]


@pytest.fixture(scope="module")
def pair(live_server) -> Iterator[Pair]:
    with httpx.Client(base_url=live_server, timeout=60) as api:
        a, b = clinic(api), clinic(api, roles=("clinician",))
        p = patient(api, a)
        chart(api, a, p["id"])
        yield Pair(a, b, p)


def _sign_in(page, base: str, c: Clinic, role: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/sign-in?tenant={c.slug}")
    email = c.tenant.owner_email if role == "owner" else c.emails[role]
    password = c.tenant.owner_password if role == "owner" else f"{role} password {c.slug}"
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(base + "/")


def _clean(tab, refusals: int = 0) -> None:
    assert tab.csp_violations() == []
    assert tab.blocked == []
    refused = [e for e in tab.console_errors if "status of 422" in e]
    assert len(refused) == refusals and len(tab.console_errors) == refusals, tab.console_errors


def _openings(base: str, c: Clinic, role: str, direction: str) -> list[dict[str, Any]]:
    r = httpx.get(base + GLASS, params={"direction": direction}, headers=c.as_(role))
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_open_read_list_and_revoke(tab, live_server, pair):
    page, a, b, p = tab.page, pair.owner, pair.opener, pair.patient
    _sign_in(page, live_server, b, "clinician")
    page.click("nav.mainnav >> text=Break-glass")
    page.wait_for_url("**/apps/medical/break-glass")
    assert "Your clinic has opened no other clinic's patient." in page.inner_text("main")
    assert_accessible(page, "break-glass, nothing opened")

    # A reason too short: refused beside the field, in words; what was typed is kept.
    page.fill("#f-organization", a.slug)
    page.fill("#f-mrn", p["mrn"])
    page.fill("#f-birth_date", p["birth_date"])
    page.fill("#f-reason", "urgent")
    page.fill("#f-minutes", "15")
    page.click("button[type=submit]:has-text('Break the glass')")
    page.wait_for_selector("#f-reason-error")
    assert "at least 10 characters" in page.inner_text("#f-reason-error")
    assert (page.input_value("#f-organization"), page.input_value("#f-mrn"),
            page.input_value("#f-minutes")) == (a.slug, p["mrn"], "15")
    assert_accessible(page, "break-glass refused")
    assert _openings(live_server, b, "clinician", "outgoing") == []

    page.fill("#f-reason", REASON)
    page.click("button[type=submit]:has-text('Break the glass')")
    page.wait_for_url(f"**/apps/medical/shared/{a.id}/patients/{p['id']}?opened=1")
    main = page.inner_text("main")
    assert "Break-glass opened." in main and "Opened in an emergency (break-glass)." in main
    assert "Essential hypertension" in main and "Penicillin" in main
    console_shot(tab, "medical-break-glass-chart")
    assert_accessible(page, "chart opened by break-glass")
    [opened] = _openings(live_server, b, "clinician", "outgoing")
    assert opened["reason"] == REASON and opened["active"] and opened["patient_id"] == p["id"]
    flagged = [e for e in audit_entries(httpx.Client(base_url=live_server), a, p["id"])
               if e.get("detail", {}).get("break_glass")]
    assert flagged, "the reads under break-glass are flagged in the owner's audit"

    page.click("text=Break-glass openings")
    mine = page.locator(f"#opened-{opened['id']}")
    assert f"Org {a.slug}" in mine.inner_text() and "active" in mine.inner_text()

    # The owning clinic: who opened whose record and why; revoke it.
    _sign_in(page, live_server, a, "owner")
    page.goto(f"{live_server}/apps/medical/break-glass")
    theirs = page.locator(f"#opening-{opened['id']}")
    assert REASON in theirs.inner_text() and f"Org {b.slug}" in theirs.inner_text()
    console_shot(tab, "medical-break-glass-owner")
    assert_accessible(page, "break-glass, the owner's list")
    theirs.get_by_role("button", name="Revoke").click()
    page.wait_for_selector("[role=status]:has-text('Revoked.')")
    theirs = page.locator(f"#opening-{opened['id']}")
    assert "revoked" in theirs.inner_text() and theirs.get_by_role("button").count() == 0
    [after] = _openings(live_server, a, "owner", "incoming")
    assert not after["active"] and after["revoked_at"]
    r = httpx.get(f"{live_server}/api/v1/medical/shared/{a.id}/patients/{p['id']}",
                  headers=b.as_("clinician"))
    assert r.status_code == 404

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "break-glass at 375 px")
    console_shot(tab, "medical-break-glass-375px")
    _clean(tab, refusals=1)


def test_a_nurse_neither_sees_nor_opens_it(tab, live_server, pair):
    """The API's rule: only clinicians open, only deciders list (a nurse: 403, no entry)."""
    page = tab.page
    _sign_in(page, live_server, pair.owner, "nurse")
    assert page.locator("nav.mainnav >> text=Break-glass").count() == 0
    assert page.goto(f"{live_server}/apps/medical/break-glass").status == 403
    r = httpx.post(live_server + GLASS, headers=pair.owner.as_("nurse"), json={
        "organization": pair.opener.slug, "mrn": "X-1", "birth_date": "1980-01-01",
        "reason": REASON})
    assert r.status_code == 403


@pytest.mark.parametrize(("language", "words"), [
    ("uk", ("Відкрити пацієнта іншої клініки в екстреній ситуації", "Відкрити екстрено",
            "Наші пацієнти, яких відкрили інші клініки")),
    ("ru", ("Открыть пациента другой клиники в экстренной ситуации", "Открыть экстренно",
            "Наши пациенты, которых открыли другие клиники")),
])
def test_the_page_in_ukrainian_and_russian(tab, live_server, pair, language, words):
    page = tab.page
    page.set_extra_http_headers({"Accept-Language": language})
    _sign_in(page, live_server, pair.opener, "clinician")
    page.goto(f"{live_server}/apps/medical/break-glass")
    assert page.locator("html").get_attribute("lang") == language
    main = page.inner_text("main")
    for word in words:
        assert word in main, (language, word)
    for english in ("Break the glass", "Reason", "Our patients opened by other clinics"):
        assert english not in main, (language, english)
    console_shot(tab, f"medical-break-glass-{language}")
    assert_accessible(page, f"break-glass in {language}")
    _clean(tab)
