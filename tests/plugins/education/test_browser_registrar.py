"""The registrar's screens in a real headless Chromium: on the catalogue, add learning
outcomes (a bad framework URI refused beside its field, what was typed kept), a course
mapped to them at levels (then changed on its page) and a programme; link an outcome to another framework (a bad URI
refused) and rename it; register a customer as a learner from the
customer panel; on the learner page enrol, record a result (a grade off the scale refused
beside it), award an achievement, add a licence (an end before the start refused) and see a
renewal date that cannot be read named in Ukrainian; publish a new course and list its
returning-alumni audience; an instructor grades only their own courses, a registrar withdraws an
enrolment; a course's prerequisites, description, age limit and instructor added and
cleared (an age limit of 99 refused); the learner's agreement to hear about new courses
withdrawn and given back (the audience follows); a programme changed on its page (negative
credits refused); switch on automatic recognition on the module settings. Each step checked on the
page and through the API, axe-core, 375 px, and the screens in Ukrainian and Russian."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser import assert_accessible, console_shot
from tests.plugins.education.support import Institution, institution, outcome, post

API = "/api/v1/education"


@pytest.fixture(scope="module")
def uni(live_server) -> Iterator[tuple[Institution, str]]:
    with httpx.Client(base_url=live_server, timeout=60) as api:
        inst = institution(api, roles=("registrar", "instructor"))
        r = api.post("/api/v1/contacts", headers=inst.as_("owner"),
                     json={"given_name": "Mariia", "family_name": "Prymachenko"})
        assert r.status_code == 201, r.text
        yield inst, r.json()["id"]


def _sign_in(page, base: str, inst: Institution, role: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/sign-in?tenant={inst.slug}")
    email = inst.tenant.owner_email if role == "owner" else inst.emails[role]
    password = (inst.tenant.owner_password if role == "owner"
                else f"{role} password {inst.slug}")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(base + "/")


def _get(base: str, inst: Institution, path: str) -> Any:
    r = httpx.get(base + API + path, headers=inst.as_("registrar"))
    assert r.status_code == 200, r.text
    return r.json()


def _clean(tab, refusals: int) -> None:
    assert tab.csp_violations() == []
    assert tab.blocked == []
    assert len(tab.console_errors) == refusals, tab.console_errors


def _narrow(tab, where: str) -> None:
    page = tab.page
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, where
    assert_accessible(page, f"{where} at 375 px")
    console_shot(tab, f"education-{where}-375px")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_catalogue_learner_and_audience(tab, live_server, uni):
    inst, contact_id = uni
    page = tab.page
    _sign_in(page, live_server, inst, "registrar")
    page.click("nav.mainnav >> text=Catalogue")
    page.wait_for_url("**/apps/education/")

    # An outcome: a framework URI that is no URI is refused beside it, the rest kept.
    page.fill("#f-code", "SQL")
    page.fill("#f-title", "Query relational data")
    page.fill("#f-framework_uri", "not a uri")
    page.click("button:has-text('Add the outcome')")
    page.wait_for_selector("#f-framework_uri-error")
    assert page.input_value("#f-title") == "Query relational data"
    assert_accessible(page, "outcome refused")
    page.fill("#f-framework_uri", "http://data.europa.eu/esco/skill/sql")
    page.click("button:has-text('Add the outcome')")
    page.wait_for_selector("[role=status]:has-text('Outcome added.')")
    page.fill("form[action$='/outcomes'] #f-code", "PY")
    page.fill("form[action$='/outcomes'] #f-title", "Program in Python")
    page.click("button:has-text('Add the outcome')")
    page.wait_for_selector("[role=status]:has-text('Outcome added.')")
    outcomes = {o["code"]: o for o in _get(live_server, inst, "/outcomes")["items"]}
    assert outcomes["SQL"]["framework_uri"] == "http://data.europa.eu/esco/skill/sql"

    # A course teaching both, SQL at level 3, published.
    course = page.locator("form[action$='/courses']")
    course.locator("#f-code").fill("DB1")
    course.locator("#f-title").fill("Databases")
    course.locator("#f-credits").fill("5")
    course.locator("#f-level").fill("6")
    course.locator("#f-language").fill("uk")
    for code, level in (("SQL", "3"), ("PY", "2")):
        course.locator(f"input[name=outcomes][value='{outcomes[code]['id']}']").check()
        course.locator(f"#level-{outcomes[code]['id']}").select_option(level)
    course.locator("input[name=published]").check()
    page.click("button:has-text('Add the course')")
    page.wait_for_selector("[role=status]:has-text('Course added.')")
    assert "SQL · 3" in page.inner_text("#course-DB1")
    [db1] = _get(live_server, inst, "/courses")["items"]
    assert {(t["code"], t["level"]) for t in db1["outcomes"]} == {("SQL", 3), ("PY", 2)}
    assert db1["published_at"]

    # The course's page: untick PY, rename; the mapping is replaced.
    page.click("#course-DB1 >> text=Databases")
    page.wait_for_url(f"**/apps/education/courses/{db1['id']}")
    page.fill("#f-title", "Relational databases")
    page.uncheck(f"input[name=outcomes][value='{outcomes['PY']['id']}']")
    page.click("button:has-text('Save')")
    page.wait_for_selector("[role=status]:has-text('Saved.')")
    changed = _get(live_server, inst, f"/courses/{db1['id']}")
    assert changed["title"] == "Relational databases"
    assert [(t["code"], t["level"]) for t in changed["outcomes"]] == [("SQL", 3)]
    assert_accessible(page, "course page")
    page.goto(f"{live_server}/apps/education/")
    program = page.locator("form[action$='/programs']")
    program.locator("#f-code").fill("DS")
    program.locator("#f-title").fill("Data science")
    program.locator(f"input[name=courses][value='{db1['id']}']").check()
    page.click("button:has-text('Add the programme')")
    page.wait_for_selector("[role=status]:has-text('Programme added.')")
    [ds] = _get(live_server, inst, "/programs")["items"]
    assert ds["courses"] == [db1["id"]]
    console_shot(tab, "education-catalogue-forms")
    assert_accessible(page, "catalogue with forms")
    _narrow(tab, "catalogue")

    # The outcome's page: link it to another framework (a bad URI refused), rename it.
    page.click("#outcomes + ul >> text=Query relational data")
    page.wait_for_url(f"**/apps/education/outcomes/{outcomes['SQL']['id']}")
    assert "Not linked to another framework." in page.inner_text("main")
    page.fill("#f-target_uri", "sql")
    page.select_option("#f-relation", "replaced_by")
    page.click("button:has-text('Add the link')")
    page.wait_for_selector("#f-target_uri-error")
    assert page.input_value("#f-relation") == "replaced_by"
    page.fill("#f-target_uri", "https://example.org/frameworks/data/sql")
    page.fill("#f-target_version", "2.1")
    page.click("button:has-text('Add the link')")
    page.wait_for_selector("[role=status]:has-text('Link added.')")
    assert "replaced by" in page.inner_text("#links + ul")
    [link] = _get(live_server, inst, f"/outcomes/{outcomes['SQL']['id']}/links")
    assert (link["relation"], link["target_version"]) == ("replaced_by", "2.1")
    page.fill("form[action$='/outcomes/" + outcomes["SQL"]["id"] + "'] #f-title", "Query data")
    page.fill("form[action$='/outcomes/" + outcomes["SQL"]["id"] + "'] #f-framework_name", "")
    page.click("button:has-text('Save')")
    page.wait_for_selector("[role=status]:has-text('Saved.')")
    changed = _get(live_server, inst, f"/outcomes/{outcomes['SQL']['id']}")
    assert (changed["title"], changed["framework_uri"]) == (
        "Query data", "http://data.europa.eu/esco/skill/sql")
    assert_accessible(page, "outcome page")

    # The customer becomes a learner from the customer panel.
    page.goto(f"{live_server}/contacts/{contact_id}")
    panel = page.locator("#panel-education-record")
    assert "Not a learner here yet." in panel.inner_text()
    panel.get_by_role("link", name="Register as a learner").click()
    page.fill("#f-student_number", "S-2027")
    page.check("input[name=may_contact]")
    page.click("button:has-text('Register')")
    page.wait_for_url("**/apps/education/learners/*")
    learner_id = page.url.rsplit("/", 1)[-1].split("#")[0]
    who = _get(live_server, inst, f"/learners/{learner_id}")
    assert (who["student_number"], who["may_contact"]) == ("S-2027", True)

    # Enrol, then a grade off the scale refused beside it, then a pass.
    page.select_option("#f-course_id", label="DB1 — Relational databases")
    page.fill("#f-term", "2027-autumn")
    page.click("button:has-text('Enrol')")
    page.wait_for_selector("button:has-text('Record the result')")
    [e] = _get(live_server, inst, f"/learners/{learner_id}/record")["enrolments"]
    page.fill(f"#grade-{e['id']}", "Z")
    page.click("button:has-text('Record the result')")
    page.wait_for_selector(f"#grade-{e['id']}-error")
    assert page.input_value(f"#grade-{e['id']}") == "Z"
    assert_accessible(page, "grade refused")
    page.fill(f"#grade-{e['id']}", "A")
    page.fill(f"#completed-{e['id']}", "2028-01-20")
    page.click("button:has-text('Record the result')")
    page.wait_for_selector("#courses-taken + .table-wrap >> text=completed")
    record = _get(live_server, inst, f"/learners/{learner_id}/record")
    assert record["enrolments"][0]["status"] == "completed"
    assert {h["code"] for h in record["holdings"]} == {"SQL"}

    # An achievement and a licence (an end before its start refused beside it).
    award = page.locator("form[action$='/achievements']")
    award.locator("#f-kind").select_option("certificate")
    award.locator("#f-title").fill("Database practitioner")
    award.locator("#f-issued_on").fill("2028-02-01")
    page.click("button:has-text('Award')")
    page.wait_for_selector("#achievements + ul >> text=Database practitioner")
    lic = page.locator("form[action$='/licences']")
    lic.locator("#f-name").fill("Data protection officer")
    lic.locator("#f-renewed_on").fill("2028-01-01")
    lic.locator("#f-expires_on").fill("2027-01-01")
    lic.locator("#f-required").fill("20")
    page.click("button:has-text('Add the licence')")
    page.wait_for_selector("#f-expires_on-error")
    assert page.locator("form[action$='/licences'] #f-name").input_value() == (
        "Data protection officer")
    page.locator("form[action$='/licences'] #f-expires_on").fill("2030-01-01")
    page.click("button:has-text('Add the licence')")
    page.wait_for_selector("ul.licences >> text=Data protection officer")
    [licence] = _get(live_server, inst, f"/learners/{learner_id}/licences")
    assert (licence["required"], licence["expires_on"]) == (20, "2030-01-01")
    assert [a["title"] for a in _get(live_server, inst, f"/learners/{learner_id}/record")[
        "achievements"]] == ["Database practitioner"]
    console_shot(tab, "education-learner-forms")
    assert_accessible(page, "learner page with forms")
    _narrow(tab, "learner")

    # A new course teaching what she lacks: she is its returning-alumni audience.
    with httpx.Client(base_url=live_server) as api:
        ml = outcome(api, inst, "ML")
        new = post(api, inst, "/courses", {"code": "ML1", "title": "Machine learning",
                                           "credits": 5, "level": 7, "language": "uk",
                                           "outcomes": [{"outcome_id": ml, "level": 2}]})
    page.goto(f"{live_server}/apps/education/courses/{new['id']}")
    page.click("button:has-text('Publish now')")
    page.wait_for_selector("[role=status]:has-text('Published.')")
    assert _get(live_server, inst, f"/courses/{new['id']}")["published_at"]
    page.click("text=Offer audience")
    page.wait_for_url(f"**/apps/education/courses/{new['id']}/audience")
    row = page.locator("tbody tr", has_text="S-2027")
    assert "ML" in row.inner_text()
    members = _get(live_server, inst, f"/courses/{new['id']}/audience")["items"]
    assert [m["student_number"] for m in members] == ["S-2027"]
    console_shot(tab, "education-audience")
    assert_accessible(page, "returning alumni")
    _narrow(tab, "audience")
    _clean(tab, refusals=4)


def test_an_instructor_grades_own_courses_and_a_registrar_withdraws(tab, live_server, uni):
    """The API's rule on the page: an instructor records results in the courses they teach
    only; a registrar withdraws an open enrolment."""
    inst, _ = uni
    with httpx.Client(base_url=live_server) as api:
        skill = outcome(api, inst, "STATS")
        taught, other = (post(api, inst, "/courses", {
            "code": code, "title": f"Course {code}", "credits": 3, "level": 5,
            "language": "uk", "outcomes": [{"outcome_id": skill, "level": 1}], **extra})
            for code, extra in (("ST1", {"instructor_id": inst.user_ids["instructor"]}),
                                ("ST2", {})))
        contact = api.post("/api/v1/contacts", headers=inst.as_("owner"),
                           json={"given_name": "Taras"}).json()
        who = post(api, inst, "/learners", {"contact_id": contact["id"],
                                            "student_number": "S-3000"})
        mine, theirs = (post(api, inst, f"/learners/{who['id']}/enrolments",
                             {"course_id": c["id"], "term": "2028-spring"})
                        for c in (taught, other))
    page = tab.page
    _sign_in(page, live_server, inst, "instructor")
    page.goto(f"{live_server}/apps/education/learners/{who['id']}")
    assert page.locator(f"#grade-{mine['id']}").count() == 1
    assert page.locator(f"#grade-{theirs['id']}").count() == 0
    assert page.get_by_role("button", name="Withdraw").count() == 0
    page.fill(f"#grade-{mine['id']}", "B")
    page.click("button:has-text('Record the result')")
    page.wait_for_selector(f"#grade-{mine['id']}", state="detached")
    assert_accessible(page, "learner page, instructor")

    _sign_in(page, live_server, inst, "registrar")
    page.goto(f"{live_server}/apps/education/learners/{who['id']}")
    page.get_by_role("button", name="Withdraw").click()
    page.wait_for_selector(f"#grade-{theirs['id']}", state="detached")
    status = {e["course_code"]: (e["status"], e["grade"]) for e in _get(
        live_server, inst, f"/learners/{who['id']}/record")["enrolments"]}
    assert status == {"ST1": ("completed", "B"), "ST2": ("withdrawn", None)}
    _clean(tab, refusals=0)


def test_course_prerequisites_description_age_limit_and_instructor(tab, live_server, uni):
    """The course forms' optional part: added on the catalogue, an age limit past the API's
    80 years refused beside its field with what was typed kept, then cleared on its page."""
    inst, _ = uni
    page = tab.page
    _sign_in(page, live_server, inst, "registrar")
    db1 = next(c for c in _get(live_server, inst, "/courses?limit=100")["items"]
               if c["code"] == "DB1")
    page.goto(f"{live_server}/apps/education/")
    form = page.locator("form[action$='/courses']")
    for field, value in (("code", "DB2"), ("title", "Query tuning"), ("credits", "3"),
                         ("level", "7"), ("language", "uk"),
                         ("description", "Plans, indexes and statistics"),
                         ("max_age_years", "10")):
        form.locator(f"#f-{field}").fill(value)
    form.locator("#f-instructor_id").select_option(inst.user_ids["instructor"])
    form.locator(f"input[name=prerequisites][value='{db1['id']}']").check()
    page.click("button:has-text('Add the course')")
    page.wait_for_selector("[role=status]:has-text('Course added.')")
    db2 = next(c for c in _get(live_server, inst, "/courses?limit=100")["items"]
               if c["code"] == "DB2")
    assert (db2["description"], db2["max_age_years"], db2["instructor_id"],
            db2["prerequisites"]) == ("Plans, indexes and statistics", 10,
                                      inst.user_ids["instructor"], [db1["id"]])

    page.click("#course-DB2 >> text=Query tuning")
    page.wait_for_url(f"**/apps/education/courses/{db2['id']}")
    assert page.inner_text("#prerequisites") == "DB1"
    assert inst.emails["instructor"] in page.inner_text("#instructor")
    assert page.inner_text("#age-limit") == "10"
    page.fill("#f-max_age_years", "99")
    page.fill("#f-description", "Plans and indexes")
    page.click("button:has-text('Save')")
    page.wait_for_selector("#f-max_age_years-error")
    assert page.input_value("#f-description") == "Plans and indexes"
    assert page.input_value("#f-max_age_years") == "99"
    assert _get(live_server, inst, f"/courses/{db2['id']}")["max_age_years"] == 10
    assert_accessible(page, "course page refused")
    page.fill("#f-max_age_years", "")
    page.select_option("#f-instructor_id", "")
    page.uncheck(f"input[name=prerequisites][value='{db1['id']}']")
    page.click("button:has-text('Save')")
    page.wait_for_selector("[role=status]:has-text('Saved.')")
    now = _get(live_server, inst, f"/courses/{db2['id']}")
    assert (now["description"], now["max_age_years"], now["instructor_id"],
            now["prerequisites"]) == ("Plans and indexes", None, None, [])
    assert page.inner_text("#prerequisites") == "No prerequisite"
    _clean(tab, refusals=1)


def test_may_contact_from_the_learner_page(tab, live_server, uni):
    """The learner's agreement to hear about new courses, withdrawn and given again on the
    learner page (PATCH /learners/{id}'s service): the returning-alumni audience follows."""
    inst, _ = uni
    page = tab.page
    page.set_extra_http_headers({"Accept-Language": "uk"})
    _sign_in(page, live_server, inst, "registrar")
    [learner] = [x for x in _get(live_server, inst, "/learners")["items"]
                 if x["student_number"] == "S-2027"]
    ml1 = next(c for c in _get(live_server, inst, "/courses?limit=100")["items"]
               if c["code"] == "ML1")
    page.goto(f"{live_server}/apps/education/learners/{learner['id']}")
    consent = page.locator("#consent")
    assert "Погодився отримувати новини про нові курси" in consent.inner_text()
    assert consent.locator("input[name=may_contact]").is_checked()
    consent.locator("input[name=may_contact]").uncheck()
    consent.get_by_role("button", name="Зберегти згоду").click()
    page.wait_for_url("**?consent=saved")
    assert not page.locator("#consent input[name=may_contact]").is_checked()
    assert _get(live_server, inst, f"/learners/{learner['id']}")["may_contact"] is False
    assert _get(live_server, inst, f"/courses/{ml1['id']}/audience")["items"] == []
    assert_accessible(page, "learner page, consent withdrawn")
    page.check("#consent input[name=may_contact]")
    page.click("#consent button")
    page.wait_for_selector("#consent input[name=may_contact]:checked")
    assert _get(live_server, inst, f"/learners/{learner['id']}")["may_contact"] is True
    assert [m["student_number"] for m in _get(
        live_server, inst, f"/courses/{ml1['id']}/audience")["items"]] == ["S-2027"]
    _clean(tab, refusals=0)


def test_change_a_programme(tab, live_server, uni):
    """A programme's page (in Russian): negative credits refused beside the field with what
    was typed kept, then renamed, described and given a second course, as PATCH would."""
    inst, _ = uni
    page = tab.page
    page.set_extra_http_headers({"Accept-Language": "ru"})
    _sign_in(page, live_server, inst, "registrar")
    [ds] = [p for p in _get(live_server, inst, "/programs")["items"] if p["code"] == "DS"]
    db2 = next(c for c in _get(live_server, inst, "/courses?limit=100")["items"]
               if c["code"] == "DB2")
    page.goto(f"{live_server}/apps/education/")
    page.click("#program-DS a")
    page.wait_for_url(f"**/apps/education/programs/{ds['id']}")
    save = f"form[action$='/programs/{ds['id']}'] button.primary"
    assert "Изменить программу" in page.inner_text("main")
    page.fill("#f-title", "Data engineering")
    page.fill("#f-credits", "-5")
    page.click(save)
    page.wait_for_selector("#f-credits-error")
    assert page.input_value("#f-title") == "Data engineering"
    assert _get(live_server, inst, f"/programs/{ds['id']}")["title"] == "Data science"
    page.fill("#f-credits", "60")
    page.fill("#f-description", "Pipelines and warehouses")
    page.check(f"input[name=courses][value='{db2['id']}']")
    page.click(save)
    page.wait_for_selector("[role=status]")
    got = _get(live_server, inst, f"/programs/{ds['id']}")
    assert (got["title"], got["credits"], got["description"], set(got["courses"])) == (
        "Data engineering", 60, "Pipelines and warehouses", {ds["courses"][0], db2["id"]})
    assert "DB2" in page.inner_text("#its-courses + ul")
    assert_accessible(page, "programme page in Russian")
    _clean(tab, refusals=1)


def test_automatic_recognition_is_a_setting(tab, live_server, uni):
    inst, _ = uni
    page = tab.page
    _sign_in(page, live_server, inst, "owner")
    page.goto(f"{live_server}/settings/modules")
    page.check("#s-education-auto_recognise")
    page.locator("form[action='/settings/modules/education/settings']").get_by_role(
        "button").click()
    page.wait_for_selector("#s-education-auto_recognise:checked")
    r = httpx.get(live_server + "/api/v1/modules/education/settings",
                  headers=inst.as_("owner"))
    assert r.status_code == 200 and r.json()["auto_recognise"] is True, r.text
    assert_accessible(page, "module settings")


@pytest.mark.parametrize(("language", "words"), [
    ("uk", ("Новий результат навчання", "Додати курс", "Нова програма", "Кому запропонувати",
            "Передумови", "Граничний вік визнання (роки)")),
    ("ru", ("Новый результат обучения", "Добавить курс", "Новая программа", "Кому предложить",
            "Предварительные курсы", "Предельный срок признания (лет)")),
])
def test_the_forms_in_ukrainian_and_russian(tab, live_server, uni, language, words):
    inst, _ = uni
    page = tab.page
    page.set_extra_http_headers({"Accept-Language": language})
    _sign_in(page, live_server, inst, "registrar")
    page.goto(f"{live_server}/apps/education/")
    assert page.locator("html").get_attribute("lang") == language
    main = page.inner_text("main")
    for word in words:
        assert word in main, (language, word)
    for english in ("New learning outcome", "Add the course", "Offer audience"):
        assert english not in main, (language, english)
    assert_accessible(page, f"catalogue in {language}")
    [learner] = [x for x in _get(live_server, inst, "/learners")["items"]
                 if x["student_number"] == "S-2027"]
    page.goto(f"{live_server}/apps/education/learners/{learner['id']}")
    main = page.inner_text("main")
    assert ("Зарахувати на курс" if language == "uk" else "Зачислить на курс") in main
    [licence] = _get(live_server, inst, f"/learners/{learner['id']}/licences")
    # A renewal date the server cannot read: named in the reader's language.
    form = page.locator(f"form[action*='/licences/{licence['id']}/renew']")
    form.locator("input[name=renewed_on]").evaluate("e => e.type = 'text'")
    form.locator("input[name=renewed_on]").fill("31.12.2030")
    form.locator("input[name=expires_on]").fill("2032-01-01")
    form.get_by_role("button").click()
    page.wait_for_selector("#licence-error")
    assert page.inner_text("#licence-error") == (
        "Введіть дату" if language == "uk" else "Введите дату")
    console_shot(tab, f"education-learner-{language}")
    assert_accessible(page, f"learner page in {language}")
    _clean(tab, refusals=1)
