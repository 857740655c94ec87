"""Consent through the HTTP API: a history per channel and topic, the contact policy, and
the may-contact answer every outbound feature asks for."""

from __future__ import annotations

import psycopg
import pytest

from tests.conftest import sign_up
from tests.core.deals.support import audit_log, contact, member, outbox


def _say(client, t, contact_id: str, status: str, topic: str = "newsletter",
         channel: str = "email", **extra) -> dict:
    r = client.post(
        f"/api/v1/contacts/{contact_id}/consent",
        json={"channel": channel, "topic": topic, "status": status,
              "source": "web form /subscribe", **extra},
        headers=t.headers,
    )
    assert r.status_code == 201, r.text
    return r.json()


def _may(client, t, contact_id: str, channel: str = "email", topic: str = "newsletter") -> dict:
    r = client.get(f"/api/v1/contacts/{contact_id}/may-contact?channel={channel}&topic={topic}",
                   headers=t.headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_history_and_the_latest_word_per_channel_and_topic(client, database):
    tenant = sign_up(client)
    who = contact(client, tenant)
    first = _say(client, tenant, who, "opt_in", note="ticked the box")
    assert first["source"] == "web form /subscribe" and first["note"] == "ticked the box"
    _say(client, tenant, who, "opt_in", channel="sms", topic="offers")
    out = _say(client, tenant, who, "opt_out")
    # Entered late from a paper form signed before the opt-out: history, not the state.
    _say(client, tenant, who, "opt_in", occurred_at="2020-01-01T09:00:00Z")

    state = client.get(f"/api/v1/contacts/{who}/consent", headers=tenant.headers).json()
    assert state["do_not_contact"] is False and state["frequency_cap"] is None
    current = {(c["channel"], c["topic"]): (c["status"], c["id"]) for c in state["consents"]}
    assert current == {
        ("email", "newsletter"): ("opt_out", out["id"]),
        ("sms", "offers"): ("opt_in", current[("sms", "offers")][1]),
    }
    history = client.get(f"/api/v1/contacts/{who}/consent/history?limit=3",
                         headers=tenant.headers).json()
    assert [e["status"] for e in history["items"]] == ["opt_in", "opt_out", "opt_in"]
    rest = client.get(f"/api/v1/contacts/{who}/consent/history?cursor={history['next_cursor']}",
                      headers=tenant.headers).json()
    assert [e["id"] for e in rest["items"]] == [first["id"]] and rest["next_cursor"] is None

    log = [e for e in audit_log(client, tenant, "contact", who) if e["action"] == "consent"]
    assert log[-1]["changes"] == {"consent.email.newsletter": [None, "opt_in"]}
    assert log[1]["changes"] == {"consent.email.newsletter": ["opt_in", "opt_out"]}
    assert log[0]["changes"] == {}  # the backdated entry changed nothing current
    assert log[0]["detail"]["source"] == "web form /subscribe"
    changed = outbox(database, tenant.id, "consent.changed")
    assert [e["payload"]["current"] for e in changed] == ["opt_in", "opt_in", "opt_out",
                                                          "opt_out"]


def test_may_contact_answers_with_the_reason(client):
    tenant = sign_up(client)
    who = contact(client, tenant)
    assert _may(client, tenant, who) == {
        "allowed": False, "reason": "no_consent", "detail": "no opt-in for newsletter by email"
    }
    assert _may(client, tenant, who, topic="service")["reason"] == "service"
    assert _may(client, tenant, who, topic="service")["allowed"] is True
    _say(client, tenant, who, "opt_in")
    assert _may(client, tenant, who) == {
        "allowed": True, "reason": "opted_in", "detail": "opted in to newsletter by email"
    }
    assert _may(client, tenant, who, channel="sms")["reason"] == "no_consent"
    _say(client, tenant, who, "opt_out", topic="service")
    assert _may(client, tenant, who, topic="service")["reason"] == "opted_out"

    # Without channel and topic: may this person be contacted at all?
    r = client.get(f"/api/v1/contacts/{who}/may-contact", headers=tenant.headers)
    assert r.status_code == 200 and r.json()["reason"] == "reachable"
    r = client.put(f"/api/v1/contacts/{who}/contact-policy", json={"do_not_contact": True},
                   headers=tenant.headers)
    assert r.status_code == 200 and r.json()["do_not_contact"] is True
    assert _may(client, tenant, who)["reason"] == "do_not_contact"
    r = client.get(f"/api/v1/contacts/{who}/may-contact", headers=tenant.headers)
    assert r.json() == {"allowed": False, "reason": "do_not_contact",
                        "detail": "the contact asked not to be contacted at all"}
    assert _may(client, tenant, who, topic="service")["reason"] == "do_not_contact"

    h = tenant.headers
    bad = [
        (f"/api/v1/contacts/{who}/may-contact?topic=newsletter", "channel"),
        (f"/api/v1/contacts/{who}/may-contact?channel=email", "topic"),
    ]
    for path, field in bad:
        r = client.get(path, headers=h)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field
    assert client.get(f"/api/v1/contacts/{who}/may-contact?channel=fax&topic=x",
                      headers=h).status_code in (400, 422)


def test_contact_policy_is_replaced_as_a_whole_and_audited(client, database):
    tenant = sign_up(client)
    who = contact(client, tenant)
    path = f"/api/v1/contacts/{who}/contact-policy"
    body = {"do_not_contact": False, "frequency_cap": {"max": 2, "per_days": 7}}
    r = client.put(path, json=body, headers=tenant.headers)
    assert r.status_code == 200 and r.json() == {"contact_id": who, **body}
    assert client.put(path, json=body, headers=tenant.headers).status_code == 200
    state = client.get(f"/api/v1/contacts/{who}/consent", headers=tenant.headers).json()
    assert state["frequency_cap"] == {"max": 2, "per_days": 7}
    r = client.put(path, json={"do_not_contact": True}, headers=tenant.headers)
    assert r.json()["frequency_cap"] is None

    updates = [e["changes"] for e in audit_log(client, tenant, "contact", who)
               if e["action"] == "update"]
    assert updates == [
        {"policy.do_not_contact": [False, True],
         "policy.frequency_cap": [{"max": 2, "per_days": 7}, None]},
        {"policy.frequency_cap": [None, {"max": 2, "per_days": 7}]},
    ]
    assert len(outbox(database, tenant.id, "contact.policy_changed")) == 2

    for cap, field in [({"max": 0, "per_days": 7}, "frequency_cap.max"),
                       ({"max": 1, "per_days": 400}, "frequency_cap.per_days"),
                       ({"max": 1}, "frequency_cap.per_days")]:
        r = client.put(path, json={"do_not_contact": False, "frequency_cap": cap},
                       headers=tenant.headers)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, r.json()


def test_consent_input_errors_and_roles(client, tenant):
    who = contact(client, tenant)
    path = f"/api/v1/contacts/{who}/consent"
    base = {"channel": "email", "topic": "newsletter", "status": "opt_in", "source": "web"}
    cases = [
        ({"channel": "fax"}, "channel"),
        ({"topic": "News Letter"}, "topic"),
        ({"status": "maybe"}, "status"),
        ({"source": ""}, "source"),
        ({"source": "   "}, "source"),
        ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
        ({"occurred_at": "2020-01-01T00:00:00"}, "occurred_at"),
    ]
    for change, field in cases:
        r = client.post(path, json={**base, **change}, headers=tenant.headers)
        assert r.status_code == 422, (change, r.text)
        assert r.json()["errors"][0]["field"] == field, (change, r.json())
    _, viewer = member(client, tenant, "viewer")
    assert client.get(path, headers=viewer).status_code == 200
    assert client.post(path, json=base, headers=viewer).status_code == 403
    assert client.put(f"/api/v1/contacts/{who}/contact-policy", json={"do_not_contact": True},
                      headers=viewer).status_code == 403
    missing = "/api/v1/contacts/01a00000-0000-7000-8000-000000000000"
    assert client.get(f"{missing}/consent", headers=tenant.headers).status_code == 404
    assert client.post(f"{missing}/consent", json=base, headers=tenant.headers).status_code == 404


def test_consent_history_is_evidence_the_app_cannot_rewrite(client, database):
    tenant = sign_up(client)
    who = contact(client, tenant)
    event = _say(client, tenant, who, "opt_in")
    with database.connect_app() as conn:
        conn.execute("SELECT set_config('rapport.tenant_id', %s, false)", (tenant.id,))
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("UPDATE consent_events SET status = 'opt_out' WHERE id = %s",
                         (event["id"],))
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM consent_events WHERE id = %s", (event["id"],))
    # Deleting the contact and purging it from the trash (erasure) takes its consent
    # history and policy with it.
    client.put(f"/api/v1/contacts/{who}/contact-policy", json={"do_not_contact": True},
               headers=tenant.headers)
    assert client.delete(f"/api/v1/contacts/{who}", headers=tenant.headers).status_code == 204
    assert client.delete(f"/api/v1/trash/contacts/{who}",
                         headers=tenant.headers).status_code == 204
    with database.connect_superuser() as conn:
        left = conn.execute(
            "SELECT (SELECT count(*) FROM consent_events WHERE contact_id = %(c)s)"
            " + (SELECT count(*) FROM contact_policies WHERE contact_id = %(c)s)", {"c": who}
        ).fetchone()[0]
    assert left == 0
