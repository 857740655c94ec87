"""The signed link: the questionnaire in the contact's language with no login, answers
checked whole (nothing half-written), single use, tampered and expired links refused; the
answer is an interaction on the contact's timeline; a low score opens a task for the
manager and tells the members who follow low scores."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from rapport.core.surveys import links
from tests.conftest import TEST_SECRET, add_member, login
from tests.core.communication.test_subscriptions import _outbox
from tests.core.surveys.support import ANSWERS, answers, customer, invited, survey


def _count(database, table: str, tenant_id: str) -> int:
    with database.connect_superuser() as conn:
        return conn.execute(f"SELECT count(*) FROM {table} WHERE tenant_id = %s",
                            (tenant_id,)).fetchone()[0]


def test_the_link_shows_the_questionnaire_in_the_contacts_language_without_login(
        client, tenant):
    made = survey(client, tenant)
    clerk = add_member(client, tenant, f"clerk@{tenant.slug}.example.com", full_name="Ira K")
    contact_id, email = customer(client, tenant, language="ru")
    token = invited(client, tenant, made["id"], email, contact_id, service_point="Odesa",
                    employee_id=clerk["id"])
    r = client.get(ANSWERS + token)
    assert r.status_code == 200, r.text
    found = r.json()
    assert found["language"] == "ru" and found["organization"] == f"Org {tenant.slug}"
    assert found["service_point"] == "Odesa" and found["employee"] == "Ira K"
    assert (found["scale_min"], found["scale_max"]) == (1, 7) and len(found["items"]) == 22
    assert found["items"][0] == {"key": "q01", "dimension": "tangibles",
                                 "dimension_name": "Материальность",
                                 "text": "Современное оборудование и инструменты"}


def test_bad_answers_write_nothing_and_the_link_is_single_use(client, tenant, database):
    made = survey(client, tenant)
    contact_id, email = customer(client, tenant)
    token = invited(client, tenant, made["id"], email, contact_id)
    off_scale = answers(q05=(8, 5))
    r = client.post(ANSWERS + token, json={"answers": off_scale})
    assert r.status_code in (400, 422), r.text
    missing = answers()[:-2]
    r = client.post(ANSWERS + token, json={"answers": missing})
    assert r.status_code == 422 and "missing: q21, q22" in r.text, r.text
    twice = [*answers(), {"item": "q01", "expectation": 1, "perception": 1},
             {"item": "nope", "expectation": 1, "perception": 1}]
    r = client.post(ANSWERS + token, json={"answers": twice})
    fields = {e["field"] for e in r.json()["errors"]}
    assert r.status_code == 422 and fields == {"answers[22].item", "answers[23].item"}
    for table in ("survey_responses", "survey_answers"):
        assert _count(database, table, tenant.id) == 0
    r = client.post(ANSWERS + token, json={"answers": answers(), "comment": "Quick, kind"})
    assert r.status_code == 201 and r.json()["received"] is True, r.text
    assert _count(database, "survey_answers", tenant.id) == 22
    again = client.post(ANSWERS + token, json={"answers": answers()})
    assert again.status_code == 410 and "already answered" in again.text
    assert client.get(ANSWERS + token).status_code == 410
    assert _count(database, "survey_responses", tenant.id) == 1


def test_tampered_and_expired_links_are_refused(client, tenant):
    made = survey(client, tenant)
    contact_id, email = customer(client, tenant)
    token = invited(client, tenant, made["id"], email, contact_id)
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    for bad in (flipped, token[:-5], "x" + token, "not-a-token"):
        r = client.get(ANSWERS + bad)
        assert r.status_code == 422 and "not a survey link" in r.text, r.text
        r = client.post(ANSWERS + bad, json={"answers": answers()})
        assert r.status_code == 422, r.text
    found = links.verify(TEST_SECRET, token)
    past = links.sign(TEST_SECRET, found.tenant_id, found.invitation_id,
                      datetime.now(UTC) - timedelta(minutes=1))
    r = client.get(ANSWERS + past)
    assert r.status_code == 410 and "expired" in r.text
    assert client.post(ANSWERS + past, json={"answers": answers()}).status_code == 410
    # Signed here but for an invitation that does not exist (or another tenant's).
    ghost = links.sign(TEST_SECRET, found.tenant_id, uuid.uuid4(),
                       datetime.now(UTC) + timedelta(days=1))
    assert client.get(ANSWERS + ghost).status_code == 404
    assert client.post(ANSWERS + token, json={"answers": answers()}).status_code == 201


def test_the_answer_is_on_the_timeline_and_a_low_score_opens_a_task_for_the_manager(
        client, tenant):
    manager = add_member(client, tenant, f"boss@{tenant.slug}.example.com", role="admin",
                         full_name="Boss")
    boss = {"Authorization": "Bearer " + login(client, tenant.slug, manager["email"],
                                               manager["password"])}
    clerk = add_member(client, tenant, f"clerk@{tenant.slug}.example.com", full_name="Clerk")
    r = client.post("/api/v1/subscriptions", headers=boss,
                    json={"event_type": "survey.low_score", "scope": "all"})
    assert r.status_code == 201, r.text
    made = survey(client, tenant, manager_id=manager["id"], threshold=-1.5)
    happy, happy_email = customer(client, tenant, given_name="Happy")
    sad, sad_email = customer(client, tenant, given_name="Sad")
    for contact_id, email, scores in ((happy, happy_email, answers(6, 6)),
                                      (sad, sad_email, answers(7, 4))):
        token = invited(client, tenant, made["id"], email, contact_id,
                        service_point="Lviv", employee_id=clerk["id"])
        assert client.post(ANSWERS + token, json={"answers": scores}).status_code == 201
    timeline = client.get("/api/v1/interactions", headers=tenant.headers,
                          params={"contact_id": sad, "kind": "survey"}).json()["items"]
    assert len(timeline) == 1
    answer = timeline[0]
    assert answer["direction"] == "inbound" and answer["touchpoint"] == "Lviv"
    assert answer["subject"] == "After the visit: SERVQUAL -3.00"
    assert answer["member_id"] == clerk["user_id"]
    tasks = client.get("/api/v1/tasks", headers=tenant.headers,
                       params={"assignee": manager["id"]}).json()["items"]
    assert len(tasks) == 1 and tasks[0]["contact_id"] == sad
    assert tasks[0]["title"] == f"Low survey score: Sad Lee ({made['name']})"
    assert client.get("/api/v1/tasks", headers=tenant.headers,
                      params={"contact_id": happy}).json()["items"] == []
    _outbox(client, tenant.id)
    told = [n for n in client.get("/api/v1/notifications", headers=boss).json()["items"]
            if n["kind"] == "subscription"]
    assert len(told) == 1 and told[0]["data"]["event"] == "survey.low_score"
    types = client.get("/api/v1/subscriptions/event-types", headers=tenant.headers).json()
    assert "survey.low_score" in str(types)
