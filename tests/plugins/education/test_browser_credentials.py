"""The registrar's credential and licence forms on the learner page in a real headless
Chromium: export the record (VC-JWT and Data Integrity downloads), suspend, reinstate and
revoke the issued credential, renew a licence (a shortfall refused with its reason, then
waived with a note) — each checked on the page and through the API; axe-core and no
horizontal scrolling at 375 px (the learner page and the catalogue: their wide tables scroll
in a focusable region); then the page in Ukrainian and in Russian."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.browser import assert_accessible, console_shot, sign_in_page
from tests.plugins.education.support import (
    Institution,
    complete,
    course,
    institution,
    learner,
    outcome,
    post,
)

API = "/api/v1/education"
# The issued credentials' table, newest first.
ISSUED = "#credentials ~ .table-wrap tbody tr"


@pytest.fixture(scope="module")
def school(live_server) -> Iterator[tuple[Institution, dict, dict]]:
    """An institution, a learner with one completed course, and a nursing licence that
    needs 10 hours in its period (none earned)."""
    with httpx.Client(base_url=live_server, timeout=60) as api:
        inst = institution(api, roles=("registrar",))
        sql = course(api, inst, "SQL1", {outcome(api, inst, "SQL"): 2})
        who = learner(api, inst, "Ivanna")
        complete(api, inst, who["id"], sql, completed_on="1990-06-01")
        lic = post(api, inst, f"/learners/{who['id']}/licences", {
            "name": "Nurse", "authority": "Ministry of Health", "renewed_on": "2024-01-01",
            "expires_on": "2026-01-01", "required": 10})
        yield inst, who, lic


def _sign_in(page, base: str, inst: Institution) -> None:
    sign_in_page(page, base, inst.slug, inst.emails["registrar"], f"registrar password {inst.slug}")


def _clean(tab, refusals: tuple[int, ...] = ()) -> None:
    """No CSP violation, no request off the machine, no script error: the only console
    errors are Chromium's notes of the forms answered with ``refusals`` on purpose."""
    assert tab.csp_violations() == []
    assert tab.blocked == []
    expected = sorted(f"status of {s}" for s in refusals)
    assert sorted(next((f"status of {s}" for s in refusals if f"status of {s}" in e), e)
                  for e in tab.console_errors) == expected, tab.console_errors


def _status_cell(page) -> str:
    return page.locator(ISSUED).first.locator("td").nth(2).inner_text()


def test_export_suspend_reinstate_revoke_and_renew(tab, live_server, school, tmp_path: Path):
    inst, who, lic = school
    page = tab.page
    _sign_in(page, live_server, inst)
    url = f"{live_server}/apps/education/learners/{who['id']}"
    page.goto(url)

    # Export: the VC-JWT, then the JSON with its Data Integrity proof, both as downloads.
    with page.expect_download() as jwt:
        page.get_by_role("button", name="Export the record (CLR 2.0)").click()
    assert jwt.value.suggested_filename == f"clr-{who['id']}.jwt"
    token = Path(jwt.value.path()).read_text(encoding="utf-8")
    assert token.count(".") == 2
    with page.expect_download() as proved:
        page.get_by_role("button", name="Export with a Data Integrity proof (JSON)").click()
    document = json.loads(Path(proved.value.path()).read_text(encoding="utf-8"))
    assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert "ClrCredential" in document["type"]

    page.reload()
    rows = page.locator(ISSUED)
    listed = httpx.get(f"{live_server}{API}/learners/{who['id']}/credentials",
                       headers=inst.as_("registrar")).json()
    assert rows.count() == len(listed) >= 2
    assert _status_cell(page).startswith("valid")

    # Suspend, reinstate, revoke the newest issued credential (the first row).
    first = rows.first
    action = first.locator("form").first.get_attribute("action")
    credential_id = action.split("/credentials/")[1].split("/")[0]
    first.get_by_role("button", name="Suspend").click()
    page.locator(ISSUED).first.get_by_role("button", name="Reinstate").wait_for()
    assert _status_cell(page).startswith("suspended")
    h = inst.as_("registrar")
    issued = httpx.get(f"{live_server}{API}/learners/{who['id']}/credentials", headers=h).json()
    assert [(c["id"], bool(c["revoked_at"])) for c in issued if c["suspended_at"]] == [
        (credential_id, False)]
    page.locator(ISSUED).first.get_by_role("button", name="Reinstate").click()
    page.locator(ISSUED).first.get_by_role("button", name="Suspend").wait_for()
    assert _status_cell(page).startswith("valid")
    page.locator(ISSUED).first.get_by_role("button", name="Revoke").click()
    page.wait_for_function(
        "s => document.querySelector(s + ' td:nth-child(3)').innerText.trim()"
        ".startsWith('revoked')", arg=ISSUED)
    assert page.locator(ISSUED).first.get_by_role("button").count() == 0
    issued = {c["id"]: c for c in httpx.get(
        f"{live_server}{API}/learners/{who['id']}/credentials", headers=h).json()}
    assert issued[credential_id]["revoked_at"] and not issued[credential_id]["suspended_at"]
    assert sum(1 for c in issued.values() if c["revoked_at"]) == 1

    # Renew the licence: nothing earned, refused with the reason; then waived, with a note.
    licence = page.locator("ul.licences li", has_text="Nurse")
    licence.locator("input[name=renewed_on]").fill("2026-01-01")
    licence.locator("input[name=expires_on]").fill("2028-01-01")
    licence.get_by_role("button", name="Renew").click()
    page.wait_for_selector("#licence-error")
    assert "10 hours" in page.inner_text("#licence-error")
    assert_accessible(page, "licence renewal refused")
    licence = page.locator("ul.licences li", has_text="Nurse")
    licence.locator("input[name=renewed_on]").fill("2026-01-01")
    licence.locator("input[name=expires_on]").fill("2028-01-01")
    licence.locator("input[name=waive]").check()
    licence.locator("input[name=note]").fill("Parental leave in 2025")
    licence.get_by_role("button", name="Renew").click()
    page.wait_for_selector("ul.licences li:has-text('renewed: 1')")
    assert page.locator("#licence-error").count() == 0
    listed = httpx.get(f"{live_server}{API}/learners/{who['id']}/licences", headers=h).json()
    assert [(x["id"], x["renewed_on"], x["expires_on"]) for x in listed] == [
        (lic["id"], "2026-01-01", "2028-01-01")]
    assert [(r["renewed_on"], r["waived"]) for r in listed[0]["renewals"]] == [
        ("2024-01-01", True)]
    console_shot(tab, "education-credentials")
    assert_accessible(page, "learner page after the registrar's actions")

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "learner page at 375 px")
    console_shot(tab, "education-credentials-375px")
    page.goto(f"{live_server}/apps/education/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "catalogue at 375 px")
    _clean(tab, refusals=(409,))


@pytest.mark.parametrize(("language", "words"), [
    ("uk", ("Переносні документи", "Ліцензії", "Відкликати", "відкликано")),
    ("ru", ("Переносимые документы", "Лицензии", "Отозвать", "отозван", "Продлить")),
])
def test_the_learner_page_in_ukrainian_and_russian(tab, live_server, school, language, words):
    inst, who, _ = school
    page = tab.page
    page.set_extra_http_headers({"Accept-Language": language})
    _sign_in(page, live_server, inst)
    page.goto(f"{live_server}/apps/education/learners/{who['id']}")
    assert page.locator("html").get_attribute("lang") == language
    main = page.inner_text("main")
    for word in words:
        assert word in main, (language, word)
    for english in ("Portable credentials", "Licences", "Revoke", "Renew", "Suspend",
                    "Export the record", "Waive the requirement"):
        assert english not in main, (language, english)
    console_shot(tab, f"education-learner-{language}")
    assert_accessible(page, f"learner page in {language}")
    _clean(tab)
