"""The worker's survey pass, through the app's engine and the real SMTP server on loopback:
an interaction of one of the survey's kinds invites its contact once (however often the
pass runs, even killed mid-send), tied to the touchpoint and the member who served, under
the manual invitation's consent rules, with the per-contact cap and the delay; nothing
before the survey existed; one reminder to whoever has not answered; the response rate in
the report, its CSV and the API's refusals."""

from __future__ import annotations

import asyncio
import csv
import functools
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from rapport.core.communication.senders import SmtpSender, default_senders
from rapport.core.surveys.automatic import AutoRun, due_tenants, run_due, run_tenant
from tests import mailbox
from tests.conftest import TenantHandle, add_member, sign_up
from tests.core.communication.support import consent
from tests.core.communication.test_campaigns import DiesAfter, Killed
from tests.core.surveys.support import ANSWERS, SURVEYS, answers, customer, survey, token_in


def run(client, senders: Any = None, tenant: TenantHandle | None = None, **options: Any) -> int:
    """One pass: over every due tenant, or (with a clock of its own) over ``tenant``."""
    state = client.app.state
    auto = AutoRun(state.sessionmaker, state.registry, state.settings,
                   senders if senders is not None else default_senders(state.settings),
                   **options)
    call = (functools.partial(run_tenant, auto, uuid.UUID(tenant.id)) if tenant is not None
            else functools.partial(run_due, auto, 1_000_000))
    return client.blocking_portal.call(call)


def due(client) -> list[str]:
    state = client.app.state
    return [str(t) for t in client.blocking_portal.call(
        functools.partial(due_tenants, state.sessionmaker, 1_000_000))]


def touch(client, t: TenantHandle, contact_id: str, kind: str = "visit", **values: Any) -> str:
    r = client.post("/api/v1/interactions", headers=t.headers,
                    json={"contact_id": contact_id, "kind": kind, **values})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def invitations(client, t: TenantHandle, survey_id: str) -> list[dict]:
    r = client.get(f"{SURVEYS}/{survey_id}/invitations", headers=t.headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


@pytest.fixture(scope="module")
def org(client) -> TenantHandle:
    return sign_up(client)


def test_a_visit_invites_its_contact_once_tied_to_who_served_and_where(client, org):
    before, before_email = customer(client, org, language="en")
    touch(client, org, before)  # logged before the survey: never surveyed
    clerk = add_member(client, org, f"clerk@{org.slug}.example.com", full_name="Ira Clerk")
    made = survey(client, org, name="After the visit", auto_kinds=["visit"],
                  auto_channel="email")
    assert (made["auto_delay_minutes"], made["auto_cap_days"]) == (0, 30)
    assert made["remind_after_days"] is None
    ann, ann_email = customer(client, org, given_name="Микола", patronymic="Петрович",
                              family_name="Бондаренко", language="uk")
    visit = touch(client, org, ann, touchpoint="Kyiv, Khreshchatyk 1",
                  member_id=clerk["user_id"])
    out, out_email = customer(client, org, given_name="Out")
    consent(client, org, out, "email", "opt_out", topic="service")
    refused = touch(client, org, out)
    called, called_email = customer(client, org, given_name="Called")
    touch(client, org, called, kind="call")  # not one of the survey's kinds
    assert org.id in due(client)
    run(client)
    run(client)  # a second pass (or worker) invites nobody twice
    letters = mailbox.MAILBOX.wait_for(ann_email)
    assert letters.subject == "Як ми впоралися?"
    assert letters.text.startswith("Шановний Миколо Петровичу!")
    assert len(mailbox.MAILBOX.sent_to(ann_email)) == 1
    for email in (before_email, out_email, called_email):
        assert mailbox.MAILBOX.sent_to(email) == []
    listed = {i["interaction_id"]: i for i in invitations(client, org, made["id"])}
    assert set(listed) == {visit, refused}
    sent = listed[visit]
    assert (sent["status"], sent["automatic"], sent["language"]) == ("sent", True, "uk")
    assert sent["service_point"] == "Kyiv, Khreshchatyk 1"
    assert sent["employee_id"] == clerk["id"]
    assert (listed[refused]["status"], listed[refused]["reason"]) == ("skipped", "opted_out")
    timeline = client.get("/api/v1/interactions", headers=org.headers,
                          params={"contact_id": ann}).json()["items"]
    assert [i["kind"] for i in timeline if i["direction"] == "outbound"] == ["email"]
    # The link works like a manual one; answered, the survey shows in the response rate.
    token = token_in(letters)
    assert client.post(ANSWERS + token, json={"answers": answers()}).status_code == 201
    # A second visit within the survey's cap (30 days) is not surveyed again.
    again = touch(client, org, ann)
    run(client)
    assert len(mailbox.MAILBOX.sent_to(ann_email)) == 1
    capped = next(i for i in invitations(client, org, made["id"])
                  if i["interaction_id"] == again)
    assert (capped["status"], capped["reason"]) == ("skipped", "survey_cap")
    assert org.id not in due(client)


def test_the_delay_and_old_touchpoints(client, org):
    made = survey(client, org, name="After delivery", auto_kinds=["meeting"],
                  auto_channel="email", auto_delay_minutes=60, auto_cap_days=0)
    soon, soon_email = customer(client, org)
    fresh = touch(client, org, soon, kind="meeting")
    late, late_email = customer(client, org)
    touch(client, org, late, kind="meeting", occurred_at=ago(minutes=90))
    old, old_email = customer(client, org)
    touch(client, org, old, kind="meeting", occurred_at=ago(days=8))
    run(client)
    mailbox.MAILBOX.wait_for(late_email)
    assert mailbox.MAILBOX.sent_to(soon_email) == [] == mailbox.MAILBOX.sent_to(old_email)
    # An hour on, the fresh meeting is due too.
    run(client, tenant=org, clock=lambda: datetime.now(UTC) + timedelta(minutes=61))
    mailbox.MAILBOX.wait_for(soon_email)
    assert [i["interaction_id"] for i in invitations(client, org, made["id"])
            if i["contact_id"] == soon] == [fresh]
    # Switched off: nothing; switched on again: only what is logged from then on.
    r = client.patch(f"{SURVEYS}/{made['id']}", headers=org.headers, json={"active": False})
    assert r.status_code == 200, r.text
    idle, idle_email = customer(client, org)
    touch(client, org, idle, kind="meeting", occurred_at=ago(hours=2))
    run(client)
    r = client.patch(f"{SURVEYS}/{made['id']}", headers=org.headers, json={"active": True})
    assert r.json()["auto_since"] > made["auto_since"]
    run(client)
    assert mailbox.MAILBOX.sent_to(idle_email) == []


def test_a_killed_pass_sends_nothing_twice(client):
    t = sign_up(client)
    survey(client, t, auto_kinds=["purchase"], auto_channel="email", auto_cap_days=0)
    people = [customer(client, t, given_name=f"P{n}") for n in range(4)]
    for contact_id, _ in people:
        touch(client, t, contact_id, kind="purchase")
    settings = client.app.state.settings
    real = SmtpSender(settings.smtp_url, settings.mail_from)
    with pytest.raises(Killed):
        run(client, {"email": DiesAfter(real, 2)})
    run(client, {"email": real}, lease=timedelta(0))
    run(client, {"email": real}, lease=timedelta(0))
    made = client.get(SURVEYS, headers=t.headers).json()["items"][0]
    states = sorted((i["status"], i["reason"] or "") for i in invitations(client, t, made["id"]))
    # Two left before the "death", the second of them in doubt: never sent again.
    assert states == [("failed", "interrupted"), ("sent", ""), ("sent", ""), ("sent", "")]
    for _, email in people:
        mailbox.MAILBOX.wait_for(email)
        assert len(mailbox.MAILBOX.sent_to(email)) == 1, email


def test_two_workers_at_once_invite_each_touchpoint_once(client):
    t = sign_up(client)
    made = survey(client, t, auto_kinds=["visit"], auto_channel="email", auto_cap_days=0)
    people = [customer(client, t, given_name=f"W{n}") for n in range(3)]
    for contact_id, _ in people:
        touch(client, t, contact_id)
        touch(client, t, contact_id)  # two visits each: two invitations, no cap here
    state = client.app.state
    auto = AutoRun(state.sessionmaker, state.registry, state.settings,
                   default_senders(state.settings))

    async def both() -> list[int]:
        return list(await asyncio.gather(run_tenant(auto, uuid.UUID(t.id)),
                                         run_tenant(auto, uuid.UUID(t.id))))

    sent = client.blocking_portal.call(both)
    sent.append(run(client, tenant=t))  # what either skipped (the survey was locked)
    assert sum(sent) == 6
    for _, email in people:
        mailbox.MAILBOX.wait_for(email, count=2)
        assert len(mailbox.MAILBOX.sent_to(email)) == 2, email
    assert len(invitations(client, t, made["id"])) == 6


def _invite(client, t, survey_id: str, contact_id: str) -> dict:
    r = client.post(f"{SURVEYS}/{survey_id}/invitations", headers=t.headers,
                    json={"contact_id": contact_id, "service_point": "Lviv"})
    assert r.status_code == 201, r.text
    return r.json()


def test_one_reminder_to_whoever_has_not_answered(client, database):
    t = sign_up(client)
    made = survey(client, t, name="Front desk", remind_after_days=3)
    quiet, quiet_email = customer(client, t, language="en")
    done, done_email = customer(client, t)
    gone, gone_email = customer(client, t)
    late, late_email = customer(client, t)
    sent = {c: _invite(client, t, made["id"], c) for c in (quiet, done, gone, late)}
    token = sent[done]["url"].rsplit("/", 1)[1]
    assert client.post(ANSWERS + token, json={"answers": answers()}).status_code == 201
    consent(client, t, gone, "email", "opt_out", topic="service")
    with database.connect_superuser() as conn:
        conn.execute("UPDATE survey_invitations SET expires_at = now() + interval '1 day' "
                     "WHERE id = %s", (sent[late]["id"],))
    run(client)  # not yet: three days have not passed
    assert len(mailbox.MAILBOX.sent_to(quiet_email)) == 1
    later = {"tenant": t, "clock": lambda: datetime.now(UTC) + timedelta(days=3, hours=1)}
    run(client, **later)
    run(client, **later)
    mailbox.MAILBOX.wait_for(quiet_email, count=2)
    letters = mailbox.MAILBOX.sent_to(quiet_email)
    assert len(letters) == 2 and letters[1].subject == "A reminder: how did we do?"
    assert token_in(letters[1]) == sent[quiet]["url"].rsplit("/", 1)[1]
    for email in (done_email, gone_email, late_email):
        assert len(mailbox.MAILBOX.sent_to(email)) == 1, email
    listed = {i["contact_id"]: i for i in invitations(client, t, made["id"])}
    assert listed[quiet]["reminder_status"] == "sent" and listed[quiet]["reminded_at"]
    assert listed[gone]["reminder_status"] == "skipped"
    assert listed[done]["reminder_status"] is None and listed[late]["reminder_status"] is None
    # The response rate: four invited at Lviv, one answered.
    r = client.get(f"{SURVEYS}/{made['id']}/report", headers=t.headers,
                   params={"group": "service_point"})
    found = r.json()
    assert (found["invited"], found["answered"], found["response_rate"]) == (4, 1, 0.25)
    assert [(x["label"], x["invited"], x["answered"], x["response_rate"])
            for x in found["rows"]] == [("Lviv", 4, 1, 0.25)]
    by_dimension = client.get(f"{SURVEYS}/{made['id']}/report", headers=t.headers).json()
    assert by_dimension["response_rate"] == 0.25
    assert by_dimension["rows"][0]["response_rate"] is None
    exported = client.get(f"{SURVEYS}/{made['id']}/report/export", headers=t.headers,
                          params={"group": "month"})
    lines = list(csv.reader(io.StringIO(exported.text)))
    assert lines[0][-3:] == ["invited", "answered", "response_rate"]
    assert lines[1][-3:] == ["4", "1", "0.250"] and lines[-1][0] == "overall"


def test_automatic_settings_are_checked(client, org):
    cases = [({"auto_delay_minutes": -1}, "auto_delay_minutes"),
             ({"auto_delay_minutes": 50000}, "auto_delay_minutes"),
             ({"auto_cap_days": 400}, "auto_cap_days"),
             ({"remind_after_days": 0}, "remind_after_days"),
             ({"auto_kinds": ["visit"]}, "auto_channel"),
             ({"auto_kinds": ["survey"], "auto_channel": "email"}, "auto_kinds")]
    for body, field in cases:
        r = client.post(SURVEYS, headers=org.headers, json={"name": "Bad", **body})
        assert r.status_code in (400, 422), (body, r.text)
        assert field in r.text, (body, r.text)
    made = survey(client, org, remind_after_days=5)
    r = client.patch(f"{SURVEYS}/{made['id']}", headers=org.headers,
                     json={"remind_after_days": None, "auto_cap_days": 7})
    assert r.status_code == 200, r.text
    assert (r.json()["remind_after_days"], r.json()["auto_cap_days"]) == (None, 7)


def test_the_worker_pass_runs_the_survey_pass(client):
    """``rapport worker``'s periodic work reaches the surveys area (its senders from the
    process's settings: without an SMTP server configured the invitation is kept as
    failed, ``no_sender``, and not tried again)."""
    from rapport.hooks import PeriodicWork
    from rapport.worker import periodic_work

    t = sign_up(client)
    made = survey(client, t, auto_kinds=["visit"], auto_channel="email")
    contact_id, _ = customer(client, t)
    visit = touch(client, t, contact_id)
    state = client.app.state
    work = PeriodicWork(state.sessionmaker, state.registry, batch=200, max_tenants=1_000_000)
    client.blocking_portal.call(functools.partial(periodic_work, work))
    listed = invitations(client, t, made["id"])
    assert [(i["interaction_id"], i["automatic"]) for i in listed] == [(visit, True)]
    assert listed[0]["status"] in ("sent", "failed")
    assert t.id not in due(client)
