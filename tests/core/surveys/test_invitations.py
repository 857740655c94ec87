"""Invitations after a touchpoint: a letter in the contact's language with a signed link,
an outbound interaction on the timeline — and nothing at all for anyone who may not be
contacted on the channel about the survey's topic."""

from __future__ import annotations

from tests import mailbox
from tests.conftest import add_member
from tests.core.communication.support import consent, contact
from tests.core.surveys.support import SURVEYS, customer, invite, invited, survey, token_in


def _interactions(client, t, contact_id: str) -> list[dict]:
    r = client.get("/api/v1/interactions", headers=t.headers, params={"contact_id": contact_id})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_the_invitation_greets_the_contact_in_their_language_and_is_on_the_timeline(
        client, tenant):
    made = survey(client, tenant)
    clerk = add_member(client, tenant, f"clerk@{tenant.slug}.example.com", full_name="Ira")
    contact_id, email = customer(client, tenant, given_name="Микола", patronymic="Петрович",
                                 family_name="Бондаренко", language="uk")
    visit = client.post("/api/v1/interactions", headers=tenant.headers, json={
        "contact_id": contact_id, "kind": "visit", "touchpoint": "Kyiv, Khreshchatyk 1"})
    assert visit.status_code == 201, visit.text
    r = invite(client, tenant, made["id"], contact_id, service_point="Kyiv, Khreshchatyk 1",
               interaction_id=visit.json()["id"], employee_id=clerk["id"])
    assert r.status_code == 201, r.text
    sent = r.json()
    assert sent["status"] == "sent" and sent["language"] == "uk" and sent["address"] == email
    assert sent["employee_id"] == clerk["id"] and sent["url"].startswith(
        "http://testserver/survey/")
    letter = mailbox.MAILBOX.wait_for(email)
    assert letter.subject == "Як ми впоралися?"
    assert letter.text.startswith("Шановний Миколо Петровичу!")
    assert token_in(letter) == sent["url"].rsplit("/", 1)[1]
    logged = [i for i in _interactions(client, tenant, contact_id) if i["kind"] == "email"]
    assert len(logged) == 1 and logged[0]["direction"] == "outbound"
    assert logged[0]["campaign"] == made["name"]
    assert logged[0]["touchpoint"] == "Kyiv, Khreshchatyk 1"
    listed = client.get(f"{SURVEYS}/{made['id']}/invitations", headers=tenant.headers).json()
    assert [i["id"] for i in listed["items"]] == [sent["id"]] and "url" not in listed["items"][0]
    # One invitation per touchpoint.
    again = invite(client, tenant, made["id"], contact_id, interaction_id=visit.json()["id"])
    assert again.status_code == 409


def test_a_survey_template_carries_the_link_when_it_is_for_the_channel(client, tenant):
    r = client.post("/api/v1/templates", headers=tenant.headers, json={
        "name": "Survey letter", "channel": "email", "language": "en",
        "subject": "{{ salutation }}, a minute?",
        "body": "{{ salutation }}, please tell us: {{ surveys.link }}"})
    assert r.status_code == 201, r.text
    made = survey(client, tenant, template_id=r.json()["id"])
    contact_id, email = customer(client, tenant, honorific="Ms", language="en")
    token = invited(client, tenant, made["id"], email, contact_id)
    letter = mailbox.MAILBOX.wait_for(email)
    assert letter.subject == "Dear Ms Lee, a minute?"
    assert letter.text.startswith(f"Dear Ms Lee, please tell us: http://testserver/survey/{token}")


def test_nobody_who_may_not_be_contacted_receives_an_invitation(client, tenant):
    made = survey(client, tenant)
    barred, barred_email = customer(client, tenant, given_name="Barred")
    r = client.put(f"/api/v1/contacts/{barred}/contact-policy", headers=tenant.headers,
                   json={"do_not_contact": True, "frequency_cap": None})
    assert r.status_code == 200, r.text
    opted_out, opted_email = customer(client, tenant, given_name="Out")
    consent(client, tenant, opted_out, "email", "opt_out", topic="service")
    no_address = contact(client, tenant, given_name="Nomail")
    # A survey about a marketing topic needs an opt-in.
    marketing = survey(client, tenant, topic="offers")
    plain, plain_email = customer(client, tenant, given_name="Plain")
    cases = [(made, barred, "marked do-not-contact"), (made, opted_out, "opted out of email"),
             (made, no_address, "no email address"),
             (marketing, plain, "no opt-in for offers by email")]
    for s, contact_id, why in cases:
        r = invite(client, tenant, s["id"], contact_id)
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == "contact_id" and why in r.text, r.text
    for email in (barred_email, opted_email, plain_email):
        assert mailbox.MAILBOX.sent_to(email) == []
    for s in (made, marketing):
        listed = client.get(f"{SURVEYS}/{s['id']}/invitations", headers=tenant.headers)
        assert listed.json()["items"] == []
    for contact_id in (barred, opted_out, no_address, plain):
        assert _interactions(client, tenant, contact_id) == []
    # The same contact, opted in to the topic, is invited.
    consent(client, tenant, plain, "email", "opt_in", topic="offers")
    assert invite(client, tenant, marketing["id"], plain).status_code == 201


def test_invitation_input_is_checked(client, tenant, other_tenant):
    made = survey(client, tenant)
    contact_id, _ = customer(client, tenant)
    theirs, _ = customer(client, other_tenant)
    other_visit = client.post("/api/v1/interactions", headers=tenant.headers, json={
        "contact_id": contact(client, tenant, given_name="Else"), "kind": "visit"}).json()
    cases = [({"contact_id": theirs}, "contact_id"),
             ({"contact_id": contact_id, "channel": "sms"}, "channel"),
             ({"contact_id": contact_id, "language": "de"}, "language"),
             ({"contact_id": contact_id, "employee_id": "0190f0f0-0000-7000-8000-000000000000"},
              "employee_id"),
             ({"contact_id": contact_id, "interaction_id": other_visit["id"]}, "interaction_id")]
    for body, field in cases:
        r = client.post(f"{SURVEYS}/{made['id']}/invitations", headers=tenant.headers, json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["errors"][0]["field"] == field, r.text
    r = client.patch(f"{SURVEYS}/{made['id']}", headers=tenant.headers, json={"active": False})
    assert r.status_code == 200
    assert invite(client, tenant, made["id"], contact_id).status_code == 409
