"""Education endpoints: outcomes, courses, programmes, learners and their enrolments."""

from __future__ import annotations

from tests.conftest import TenantHandle
from tests.isolation_targets import Target

MODULES = ("education",)


def _outcome(client, t: TenantHandle) -> dict[str, str]:
    r = client.post("/api/v1/education/outcomes", json={"code": "V-O", "title": "Victim"},
                    headers=t.headers)
    assert r.status_code == 201, r.text
    return {"outcome_id": r.json()["id"]}


def _course(client, t: TenantHandle) -> dict[str, str]:
    ids = _outcome(client, t)
    r = client.post("/api/v1/education/courses", headers=t.headers, json={
        "code": "V-C", "title": "Victim", "credits": 5, "level": 6, "language": "uk",
        "outcomes": [{"outcome_id": ids["outcome_id"], "level": 2}]})
    assert r.status_code == 201, r.text
    return {**ids, "course_id": r.json()["id"]}


def _program(client, t: TenantHandle) -> dict[str, str]:
    ids = _course(client, t)
    r = client.post("/api/v1/education/programs", headers=t.headers, json={
        "code": "V-P", "title": "Victim", "courses": [ids["course_id"]]})
    assert r.status_code == 201, r.text
    return {**ids, "program_id": r.json()["id"]}


def _learner(client, t: TenantHandle) -> dict[str, str]:
    ids = _program(client, t)
    contact = client.post("/api/v1/contacts", json={"given_name": "Victim"}, headers=t.headers)
    r = client.post("/api/v1/education/learners", headers=t.headers, json={
        "contact_id": contact.json()["id"], "student_number": "V-1"})
    assert r.status_code == 201, r.text
    lid = r.json()["id"]
    r = client.post(f"/api/v1/education/learners/{lid}/enrolments", headers=t.headers,
                    json={"course_id": ids["course_id"], "term": "2020"})
    assert r.status_code == 201, r.text
    return {**ids, "learner_id": lid, "enrolment_id": r.json()["id"]}


def _completed(client, t: TenantHandle) -> dict[str, str]:
    ids = _learner(client, t)
    r = client.post(f"/api/v1/education/learners/{ids['learner_id']}/enrolments/"
                    f"{ids['enrolment_id']}/result", json={"grade": "A"}, headers=t.headers)
    assert r.status_code == 200, r.text
    return ids


def _issued(client, t: TenantHandle) -> dict[str, str]:
    ids = _completed(client, t)
    r = client.post(f"/api/v1/education/learners/{ids['learner_id']}/clr", headers=t.headers)
    assert r.status_code == 201, r.text
    return {**ids, "credential_id": r.json()["credential_id"]}


def _licence(client, t: TenantHandle) -> dict[str, str]:
    ids = _learner(client, t)
    r = client.post(f"/api/v1/education/learners/{ids['learner_id']}/licences",
                    headers=t.headers, json={"name": "x", "renewed_on": "2020-01-01",
                                             "expires_on": "2021-01-01", "required": 1})
    assert r.status_code == 201, r.text
    return {**ids, "licence_id": r.json()["id"]}


def _learner_with_award(client, t: TenantHandle) -> dict[str, str]:
    # Any achievement id of the victim: the attack must not learn whether it exists.
    ids = _learner(client, t)
    r = client.post(f"/api/v1/education/learners/{ids['learner_id']}/achievements",
                    headers=t.headers, json={"kind": "degree", "title": "x",
                                             "issued_on": "2020-01-01"})
    assert r.status_code == 201, r.text
    return {**ids, "achievement_id": r.json()["id"]}


L = "/api/v1/education/learners/{learner_id}"
E = L + "/enrolments/{enrolment_id}"
TARGETS: dict[str, Target] = {
    "/api/v1/education/outcomes/{outcome_id}": Target(_outcome, {
        "GET": None, "PATCH": {"title": "Hijacked"}}, MODULES),
    "/api/v1/education/outcomes/{outcome_id}/links": Target(_outcome, {"GET": None, "POST": {
        "target_uri": "http://example.org/x", "relation": "exact"}}, MODULES),
    "/api/v1/education/courses/{course_id}": Target(_course, {
        "GET": None, "PATCH": {"title": "Hijacked"}}, MODULES),
    "/api/v1/education/courses/{course_id}/publish": Target(_course, {"POST": None}, MODULES),
    "/api/v1/education/courses/{course_id}/audience": Target(_course, {"GET": None}, MODULES),
    "/api/v1/education/programs/{program_id}": Target(_program, {
        "GET": None, "PATCH": {"title": "Hijacked"}}, MODULES),
    L: Target(_learner, {"GET": None, "PATCH": {"student_number": "HIJACK"}}, MODULES),
    L + "/record": Target(_learner, {"GET": None}, MODULES),
    L + "/recommendations": Target(_learner, {"GET": None}, MODULES),
    L + "/enrolments": Target(_learner, {"GET": None, "POST": {"course_id": "0190a1b2-0000-7000-8000-000000000001",
                                                              "term": "x"}}, MODULES),
    L + "/achievements": Target(_learner, {"POST": {
        "kind": "certificate", "title": "x", "issued_on": "2020-01-01"}}, MODULES),
    L + "/licences": Target(_learner, {"GET": None, "POST": {
        "name": "x", "renewed_on": "2020-01-01", "expires_on": "2021-01-01", "required": 1}},
        MODULES),
    L + "/licences/{licence_id}/renew": Target(_licence, {"POST": {
        "renewed_on": "2022-01-01", "expires_on": "2023-01-01", "waive": True,
        "note": "hijack"}}, MODULES),
    L + "/clr": Target(_completed, {"POST": None}, MODULES),
    L + "/credentials": Target(_completed, {"GET": None}, MODULES),
    L + "/credentials/import": Target(_learner, {"POST": {"credential": "a.b.c"}}, MODULES),
    L + "/credentials/{credential_id}/revoke": Target(_issued, {"POST": {}}, MODULES),
    L + "/credentials/{credential_id}/suspend": Target(_issued, {"POST": {}}, MODULES),
    L + "/credentials/{credential_id}/reinstate": Target(_issued, {"POST": {}}, MODULES),
    L + "/achievements/{achievement_id}/decision": Target(_learner_with_award, {"POST": {
        "decision": "accept"}}, MODULES),
    E + "/result": Target(_learner, {"POST": {"grade": "A"}}, MODULES),
    E + "/withdraw": Target(_learner, {"POST": {}}, MODULES),
}
