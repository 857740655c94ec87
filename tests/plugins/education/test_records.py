"""The catalogue, enrolments and results, the lifelong record and "never taught twice",
through HTTP against a real PostgreSQL."""

from __future__ import annotations

from tests.plugins.education.support import (
    complete,
    course,
    institution,
    learner,
    outcome,
    post,
)


def test_catalogue_maps_courses_to_outcomes_and_refuses_foreign_ids(client):
    a, b = institution(client), institution(client)
    o1 = outcome(client, a, "PROG", framework_uri="http://data.europa.eu/esco/skill/abc",
                 framework_name="ESCO")
    o2 = outcome(client, a, "DB")
    intro = course(client, a, "CS101", {o1: 2})
    c = post(client, a, "/courses", {
        "code": "CS201", "title": "Databases", "credits": 6, "level": 6, "language": "en",
        "outcomes": [{"outcome_id": o1, "level": 3}, {"outcome_id": o2, "level": 2}],
        "prerequisites": [intro]})
    assert {(t["code"], t["level"]) for t in c["outcomes"]} == {("PROG", 3), ("DB", 2)}
    assert c["prerequisites"] == [intro] and c["published_at"] is None
    r = client.get(f"/api/v1/education/courses/{c['id']}", headers=a.as_("advisor"))
    assert r.status_code == 200 and r.json()["credits"] == 6
    assert client.get(f"/api/v1/education/outcomes/{o1}", headers=a.as_("advisor")).json()[
        "framework_uri"] == "http://data.europa.eu/esco/skill/abc"

    # Another institution's outcome, an unknown one, a bad level: 422 naming the field.
    foreign = outcome(client, b, "FOREIGN")
    body = {"code": "X1", "title": "X", "credits": 1, "level": 6, "language": "uk",
            "outcomes": [{"outcome_id": o1, "level": 1}, {"outcome_id": foreign, "level": 1}]}
    r = client.post("/api/v1/education/courses", json=body, headers=a.as_("registrar"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "outcomes[1]"
    r = client.post("/api/v1/education/courses", headers=a.as_("registrar"), json={
        **body, "outcomes": [{"outcome_id": o1, "level": 9}]})
    assert r.status_code in (400, 422) and "level" in r.text
    r = client.post("/api/v1/education/courses", headers=a.as_("registrar"), json={
        **body, "outcomes": [], "prerequisites": [foreign]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "prerequisites[0]"
    assert client.get("/api/v1/education/courses?limit=50",
                      headers=a.as_("owner")).json()["items"][0]["code"] == "CS201"
    # Nothing was written by the refused requests; codes are unique per institution only.
    assert [x["code"] for x in client.get("/api/v1/education/courses",
                                          headers=a.as_("owner")).json()["items"]] == [
        "CS201", "CS101"]
    assert client.post("/api/v1/education/courses", headers=a.as_("registrar"), json={
        **body, "code": "CS101", "outcomes": []}).status_code == 409
    course(client, b, "CS101", {})

    p = post(client, a, "/programs", {"code": "BSC-CS", "title": "BSc CS", "credits": 180,
                                      "courses": [intro, c["id"]]})
    assert p["courses"] == [intro, c["id"]]
    r = client.post("/api/v1/education/programs", headers=a.as_("registrar"), json={
        "code": "P2", "title": "P2", "courses": [foreign]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "courses[0]"
    # Advisors and instructors read the catalogue but do not change it.
    r = client.post("/api/v1/education/outcomes", json={"code": "Z", "title": "Z"},
                    headers=a.as_("advisor"))
    assert r.status_code == 403


def test_patch_programs(client):
    a, b = institution(client), institution(client)
    o = outcome(client, a, "PROG")
    c1, c2 = course(client, a, "CS101", {o: 1}), course(client, a, "CS102", {o: 2})
    post(client, a, "/programs", {"code": "OTHER", "title": "Other"})
    p = post(client, a, "/programs", {"code": "BSC", "title": "BSc", "credits": 180,
                                      "description": "Three years", "courses": [c1]})
    url = f"/api/v1/education/programs/{p['id']}"
    r = client.patch(url, headers=a.as_("registrar"), json={
        "title": "BSc Computing", "credits": 240, "courses": [c2, c1]})
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["code"], got["title"], got["credits"], got["description"], got["courses"]) == (
        "BSC", "BSc Computing", 240, "Three years", [c2, c1])
    r = client.patch(url, headers=a.as_("registrar"), json={"credits": None,
                                                            "description": None})
    assert (r.json()["credits"], r.json()["description"]) == (None, None)
    # Bad input: named, nothing written.
    foreign = course(client, b, "F1", {outcome(client, b, "F"): 1})
    r = client.patch(url, headers=a.as_("registrar"), json={"title": "Never",
                                                            "courses": [c1, foreign]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "courses[1]"
    r = client.patch(url, headers=a.as_("registrar"), json={"courses": [c1, c1]})
    assert r.status_code == 422
    r = client.patch(url, headers=a.as_("registrar"), json={"code": "OTHER"})
    assert r.status_code == 409
    r = client.patch(url, headers=a.as_("advisor"), json={"title": "x"})
    assert r.status_code == 403
    got = client.get(url, headers=a.as_("advisor")).json()
    assert (got["title"], got["courses"]) == ("BSc Computing", [c2, c1])


def test_patch_courses_and_outcomes(client):
    a, b = institution(client), institution(client)
    o1, o2 = outcome(client, a, "PROG"), outcome(client, a, "DB")
    intro = course(client, a, "CS101", {o1: 2})
    c = course(client, a, "CS201", {o1: 3})
    url = f"/api/v1/education/courses/{c}"
    r = client.patch(url, headers=a.as_("registrar"), json={
        "title": "Databases II", "credits": 7.5, "credit_unit": "hours", "max_age_years": 10,
        "outcomes": [{"outcome_id": o2, "level": 4}], "prerequisites": [intro]})
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["title"], got["credits"], got["credit_unit"], got["max_age_years"]) == (
        "Databases II", 7.5, "hours", 10)
    assert [(t["code"], t["level"]) for t in got["outcomes"]] == [("DB", 4)]
    assert got["prerequisites"] == [intro] and got["code"] == "CS201"
    # Fields left out stay; null clears an optional one.
    r = client.patch(url, headers=a.as_("registrar"), json={"max_age_years": None})
    assert r.json()["max_age_years"] is None and r.json()["title"] == "Databases II"
    # Bad input: named, nothing written.
    foreign = outcome(client, b, "FOREIGN")
    r = client.patch(url, headers=a.as_("registrar"), json={
        "title": "Never", "outcomes": [{"outcome_id": foreign, "level": 1}]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "outcomes[0]"
    r = client.patch(url, headers=a.as_("registrar"), json={"prerequisites": [c]})
    assert r.status_code == 422 and "require itself" in r.text
    r = client.patch(url, headers=a.as_("registrar"), json={"level": 12})
    assert r.status_code in (400, 422) and "level" in r.text
    r = client.patch(url, headers=a.as_("registrar"), json={"code": "CS101"})
    assert r.status_code == 409
    r = client.patch(url, headers=a.as_("advisor"), json={"title": "x"})
    assert r.status_code == 403
    assert client.get(url, headers=a.as_("advisor")).json()["title"] == "Databases II"

    r = client.patch(f"/api/v1/education/outcomes/{o1}", headers=a.as_("registrar"), json={
        "title": "Programming", "framework_uri": "http://data.europa.eu/esco/skill/p"})
    assert r.status_code == 200 and r.json()["framework_uri"].endswith("/p")
    r = client.patch(f"/api/v1/education/outcomes/{o1}", headers=a.as_("registrar"),
                     json={"framework_uri": "not a uri"})
    assert r.status_code in (400, 422) and "framework_uri" in r.text
    r = client.patch(f"/api/v1/education/outcomes/{o1}", headers=a.as_("registrar"),
                     json={"code": "DB"})
    assert r.status_code == 409
    assert client.get(f"/api/v1/education/outcomes/{o1}", headers=a.as_("advisor")).json()[
        "title"] == "Programming"


def test_results_complete_courses_and_award_outcomes(client):
    a = institution(client)
    o1, o2 = outcome(client, a, "ALG"), outcome(client, a, "STAT")
    c = course(client, a, "MATH1", {o1: 3, o2: 2}, instructor_id=a.user_ids["instructor"])
    other = course(client, a, "MATH2", {o2: 3})
    who = learner(client, a)
    lid = who["id"]
    e = post(client, a, f"/learners/{lid}/enrolments", {"course_id": c, "term": "1990-fall"})
    assert (e["status"], e["attempt"]) == ("enrolled", 1)
    r = client.post(f"/api/v1/education/learners/{lid}/enrolments",
                    json={"course_id": c, "term": "1990-fall"}, headers=a.as_("registrar"))
    assert r.status_code == 409
    url = f"/api/v1/education/learners/{lid}/enrolments/{e['id']}/result"
    # A grade outside the scale: 422 naming it, nothing written.
    r = client.post(url, json={"grade": "A+"}, headers=a.as_("instructor"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "grade"
    # A failing grade fails the attempt; the learner enrols again (attempt 2).
    r = client.post(url, json={"grade": "FX"}, headers=a.as_("instructor"))
    assert r.status_code == 200 and r.json()["status"] == "failed"
    e2 = post(client, a, f"/learners/{lid}/enrolments", {"course_id": c, "term": "1991-spring"})
    assert e2["attempt"] == 2
    # Only the course's own instructor records its results.
    e3 = post(client, a, f"/learners/{lid}/enrolments", {"course_id": other, "term": "1991"})
    r = client.post(f"/api/v1/education/learners/{lid}/enrolments/{e3['id']}/result",
                    json={"grade": "A"}, headers=a.as_("instructor"))
    assert r.status_code == 403
    r = client.post(f"/api/v1/education/learners/{lid}/enrolments/{e2['id']}/result",
                    json={"grade": "B", "completed_on": "1991-06-30"},
                    headers=a.as_("instructor"))
    assert r.status_code == 200 and r.json()["status"] == "completed"
    w = post(client, a, f"/learners/{lid}/enrolments/{e3['id']}/withdraw", {})
    assert w["status"] == "withdrawn"
    post(client, a, f"/learners/{lid}/achievements", {
        "kind": "certificate", "title": "Applied maths", "issued_on": "1991-07-01"})
    r = client.post(f"/api/v1/education/learners/{lid}/achievements", headers=a.as_("registrar"),
                    json={"kind": "diploma", "title": "x", "issued_on": "1991-07-01"})
    assert r.status_code in (400, 422)

    rec = client.get(f"/api/v1/education/learners/{lid}/record", headers=a.as_("advisor"))
    assert rec.status_code == 200, rec.text
    body = rec.json()
    assert [(x["course_code"], x["status"]) for x in body["enrolments"]] == [
        ("MATH2", "withdrawn"), ("MATH1", "completed"), ("MATH1", "failed")]
    assert {(h["code"], h["level"], h["achieved_on"]) for h in body["holdings"]} == {
        ("ALG", 3, "1991-06-30"), ("STAT", 2, "1991-06-30")}
    assert body["credits"] == {"ects": 5}
    assert body["achievements"][0]["title"] == "Applied maths"
    # The kernel's customer page: timeline entries and the contact summary.
    contact = who["contact_id"]
    r = client.get(f"/api/v1/contacts/{contact}/timeline", headers=a.as_("advisor"))
    assert r.status_code == 200, r.text
    assert {"education.completed", "education.achievement"} <= {
        e["kind"] for e in r.json()["items"]}
    r = client.get(f"/api/v1/contacts/{contact}", headers=a.as_("advisor"))
    assert r.json()["activity"]["education"]["completed_courses"] == 1


def test_never_taught_twice(client):
    a = institution(client)
    o = {code: outcome(client, a, code) for code in ("A", "B", "C", "D", "E")}
    basics = course(client, a, "BASICS", {o["A"]: 2, o["B"]: 2})
    # 40 years later the alumnus returns for a programme; BASICS again would repeat all.
    again = course(client, a, "AGAIN", {o["A"]: 2, o["B"]: 1, o["C"]: 2})
    deeper = course(client, a, "DEEPER", {o["A"]: 4, o["D"]: 2}, prerequisites=[basics])
    new = course(client, a, "NEW", {o["E"]: 2}, prerequisites=[deeper])
    expiring = course(client, a, "OLD", {o["C"]: 1}, max_age_years=10)
    who = learner(client, a)["id"]
    complete(client, a, who, basics, completed_on="1985-06-30")
    complete(client, a, who, expiring, completed_on="1986-06-30")
    program = post(client, a, "/programs", {
        "code": "MSC", "title": "MSc", "courses": [basics, again, deeper, new, expiring]})["id"]
    r = client.get(f"/api/v1/education/learners/{who}/recommendations?program={program}",
                   headers=a.as_("advisor"))
    assert r.status_code == 200, r.text
    rec = r.json()
    take = {p["code"]: p for p in rec["take"]}
    skip = {p["code"]: p for p in rec["skip"]}
    assert set(take) == {"DEEPER", "NEW"} and set(skip) == {"BASICS", "AGAIN", "OLD"}
    assert skip["BASICS"]["reason"] == "already completed here"
    # AGAIN: A and B held at sufficient levels; only C is new -> mostly a repeat.
    assert skip["AGAIN"]["overlap"] == 0.667 and "adds only C" in skip["AGAIN"]["reason"]
    # DEEPER teaches A at a higher level than held: that is not a repeat.
    assert [x["code"] for x in take["DEEPER"]["adds"]] == ["A", "D"]
    assert take["DEEPER"]["adds"][0]["held_level"] == 2
    assert take["NEW"]["missing_prerequisites"] == []
    assert float(rec["credits_saved"]) == 15

    # By target outcomes; OLD's age limit (10 years) makes its 1986 completion too old
    # to count there, but C itself is held (no limit elsewhere).
    r = client.get(f"/api/v1/education/learners/{who}/recommendations",
                   params={"outcomes": [o["C"], o["E"]]}, headers=a.as_("advisor"))
    assert r.status_code == 200, r.text
    assert {p["code"] for p in r.json()["take"]} == {"NEW"}
    assert {p["code"] for p in r.json()["skip"]} == {"AGAIN", "OLD"}

    # No target: the published catalogue (only NEW is published).
    base = f"/api/v1/education/learners/{who}/recommendations"
    assert client.post(f"/api/v1/education/courses/{new}/publish",
                       headers=a.as_("registrar")).status_code == 200
    r = client.get(base, headers=a.as_("advisor"))
    assert r.status_code == 200 and [p["code"] for p in r.json()["take"]] == ["NEW"]
    assert r.json()["take"][0]["missing_prerequisites"] == ["DEEPER"]
    # Bad input: both targets; unknown outcome; a program id that is a course's.
    r = client.get(base, params={"program": program, "outcomes": [o["C"]]},
                   headers=a.as_("advisor"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "program"
    r = client.get(base, params={"outcomes": [basics]}, headers=a.as_("advisor"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "outcomes[0]"
    r = client.get(base, params={"program": basics}, headers=a.as_("advisor"))
    assert r.status_code == 404


def test_new_course_audience_is_alumni_who_consented_and_lack_its_outcomes(client):
    a = institution(client)
    o1, o2 = outcome(client, a, "O1"), outcome(client, a, "O2")
    old = course(client, a, "OLD", {o1: 2})
    fresh = course(client, a, "FRESH", {o1: 2, o2: 2})
    knows_all = learner(client, a, "Knows", may_contact=True)["id"]
    lacks = learner(client, a, "Lacks", may_contact=True)["id"]
    silent = learner(client, a, "Silent", may_contact=False)["id"]
    never = learner(client, a, "Never", may_contact=True)["id"]
    for who in (knows_all, lacks, silent):
        complete(client, a, who, old)
    # Silent had consented once and withdrew it; a taken student number is a 409.
    r = client.patch(f"/api/v1/education/learners/{silent}", json={"may_contact": False},
                     headers=a.as_("registrar"))
    assert r.status_code == 200 and r.json()["may_contact"] is False
    taken = client.get(f"/api/v1/education/learners/{lacks}", headers=a.as_("advisor")).json()
    r = client.patch(f"/api/v1/education/learners/{silent}", headers=a.as_("registrar"),
                     json={"student_number": taken["student_number"]})
    assert r.status_code == 409
    r = client.patch(f"/api/v1/education/learners/{silent}", headers=a.as_("advisor"),
                     json={"may_contact": True})
    assert r.status_code == 403
    post(client, a, f"/learners/{knows_all}/achievements",
         {"kind": "micro-credential", "title": "x", "issued_on": "2020-01-01"})
    # knows_all completes FRESH's outcome O2 via another course.
    o2_course = course(client, a, "O2C", {o2: 3})
    complete(client, a, knows_all, o2_course)
    r = client.post(f"/api/v1/education/courses/{fresh}/publish", headers=a.as_("registrar"))
    assert r.status_code == 200 and r.json()["published_at"]
    r = client.get(f"/api/v1/education/courses/{fresh}/audience", headers=a.as_("registrar"))
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [(x["learner_id"], x["adds"]) for x in items] == [(lacks, ["O2"])]
    assert never not in {x["learner_id"] for x in items}


def test_continuing_education_hours_count_towards_a_licence(client):
    a = institution(client)
    o = outcome(client, a, "CPD")
    ethics = course(client, a, "ETH", {o: 1}, credits=8, credit_unit="hours")
    law = course(client, a, "LAW", {}, credits=6, credit_unit="hours")
    ects = course(client, a, "ECTS", {}, credits=5)
    who = learner(client, a)["id"]
    complete(client, a, who, ethics, completed_on="2024-03-01")
    complete(client, a, who, law, completed_on="2020-03-01")  # before the renewal
    complete(client, a, who, ects, completed_on="2024-04-01")  # not in hours
    r = client.post(f"/api/v1/education/learners/{who}/licences", headers=a.as_("registrar"),
                    json={"name": "Certified accountant", "authority": "Chamber",
                          "renewed_on": "2023-01-01", "expires_on": "2026-01-01",
                          "required": 20})
    assert r.status_code == 201, r.text
    assert (r.json()["earned"], r.json()["remaining"]) == (8, 12)
    r = client.post(f"/api/v1/education/learners/{who}/licences", headers=a.as_("registrar"),
                    json={"name": "x", "renewed_on": "2023-01-01", "expires_on": "2022-01-01",
                          "required": 1})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "expires_on"
    listed = client.get(f"/api/v1/education/learners/{who}/licences", headers=a.as_("advisor"))
    assert [x["name"] for x in listed.json()] == ["Certified accountant"]

    # Renewal: refused while 12 hours are missing; met once they are earned; the ended
    # period is kept. A short period can be waived only with a note.
    lid = listed.json()[0]["id"]
    renew = f"/api/v1/education/learners/{who}/licences/{lid}/renew"
    period = {"renewed_on": "2026-01-01", "expires_on": "2029-01-01"}
    r = client.post(renew, json=period, headers=a.as_("registrar"))
    assert r.status_code == 409 and "12 hours" in r.text
    r = client.post(renew, json=period, headers=a.as_("advisor"))
    assert r.status_code == 403
    r = client.post(renew, json={**period, "expires_on": "2025-01-01"},
                    headers=a.as_("registrar"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "expires_on"
    r = client.post(renew, json={**period, "renewed_on": "2022-01-01"},
                    headers=a.as_("registrar"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "renewed_on"
    complete(client, a, who, course(client, a, "AUD", {}, credits=12, credit_unit="hours"),
             completed_on="2025-06-01")
    r = client.post(renew, json=period, headers=a.as_("registrar"))
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["renewed_on"], got["earned"], got["remaining"]) == ("2026-01-01", 0, 20)
    assert got["renewals"] == [{"renewed_on": "2023-01-01", "expires_on": "2026-01-01",
                                "required": 20, "earned": 20, "waived": False, "note": None}]
    nxt = {"renewed_on": "2029-01-01", "expires_on": "2032-01-01", "waive": True}
    r = client.post(renew, json=nxt, headers=a.as_("registrar"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "note"
    r = client.post(renew, json={**nxt, "note": "parental leave"}, headers=a.as_("registrar"))
    assert r.status_code == 200 and r.json()["renewals"][-1]["waived"] is True
