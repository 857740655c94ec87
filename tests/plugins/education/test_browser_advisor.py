"""The advisor's journey in a real Chromium: sign in, open the returning alumna's customer
page, follow the learning-record panel to her lifetime on one page, ask for a programme's
recommendations and read each course's reason; axe-core on each screen."""

from __future__ import annotations

import httpx

from tests.browser import assert_accessible, sign_in_page
from tests.conftest import unique


def _university(live_server: str) -> tuple[str, str, str, str]:
    slug = unique("uni")
    email, password = f"owner@{slug}.example.com", "correct horse battery staple"
    assert httpx.post(f"{live_server}/api/v1/signup", json={
        "organization": {"name": "Kyiv University", "slug": slug},
        "admin": {"email": email, "password": password, "full_name": "Olena Owner"},
    }).status_code == 201
    token = httpx.post(f"{live_server}/api/v1/auth/login", json={
        "tenant": slug, "email": email, "password": password}).json()["access_token"]
    h = {"Authorization": f"Bearer {token}"}
    api = f"{live_server}/api/v1/education"
    assert httpx.put(f"{live_server}/api/v1/modules/education", headers=h).status_code == 200

    def made(path: str, body: dict) -> dict:
        r = httpx.post(api + path, headers=h, json=body)
        assert r.status_code in (200, 201), r.text
        return r.json()

    o = {c: made("/outcomes", {"code": c, "title": f"Outcome {c}"})["id"]
         for c in ("STATS", "SQL", "ML")}

    def course(code: str, teaches: dict[str, int]) -> str:
        return made("/courses", {"code": code, "title": f"Course {code}", "credits": 5,
                                 "level": 7, "language": "uk", "outcomes": [
                                     {"outcome_id": o[k], "level": v}
                                     for k, v in teaches.items()]})["id"]

    basics, refresher, ml = (course("STAT1", {"STATS": 2, "SQL": 2}),
                             course("DATA0", {"STATS": 1, "SQL": 1}),
                             course("ML2", {"ML": 3, "STATS": 3}))
    contact = httpx.post(f"{live_server}/api/v1/contacts", headers=h, json={
        "given_name": "Mariia", "family_name": "Prymachenko"}).json()
    who = made("/learners", {"contact_id": contact["id"], "student_number": "S-1979"})
    e = made(f"/learners/{who['id']}/enrolments", {"course_id": basics, "term": "1979"})
    made(f"/learners/{who['id']}/enrolments/{e['id']}/result",
         {"grade": "A", "completed_on": "1979-06-30"})
    made("/programs", {"code": "DS-MSC", "title": "Data science", "courses": [refresher, ml]})
    return slug, email, password, contact["id"]


def test_advisor_reads_record_and_recommendations(tab, live_server):
    slug, email, password, contact_id = _university(live_server)
    page = tab.page
    sign_in_page(page, live_server, slug, email, password)
    page.goto(f"{live_server}/contacts/{contact_id}")
    panel = page.locator("#panel-education-record")
    assert "S-1979" in panel.inner_text()
    assert_accessible(page, "customer page with the learning record")
    panel.get_by_role("link").first.click()
    page.wait_for_selector("#program")
    assert "STAT1" in page.inner_text("main")
    assert_accessible(page, "learner record")
    page.select_option("#program", label="DS-MSC — Data science")
    page.get_by_role("button", name="Recommend").click()
    page.wait_for_selector("ul.take")
    assert "ML2" in page.inner_text("ul.take")
    skipped = page.inner_text("ul.skip")
    assert "DATA0" in skipped and "every outcome it teaches is already held" in skipped
    assert_accessible(page, "recommendations")
