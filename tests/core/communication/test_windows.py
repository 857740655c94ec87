"""Sending in each contact's preferred window: contacts in New York, Kyiv (the tenant's
zone, by default) and Tokyo, and one without a window; the worker's clock is moved through
the day (no sleeps) and each letter leaves at the first moment of its window at or after
``send_at``. The contact's time zone and window through the API, with refusals."""

from __future__ import annotations

from datetime import UTC, datetime

from tests import mailbox
from tests.conftest import TenantHandle, sign_up, unique
from tests.core.communication.support import campaign, consent, contact, run_pass, template

CAMPAIGNS = "/api/v1/campaigns"
# Monday 5 January 2026, 06:00 UTC.
SEND_AT = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


def _sent(t: TenantHandle, addresses: dict[str, str]) -> set[str]:
    return {name for name, a in addresses.items() if mailbox.MAILBOX.sent_to(a)}


def test_each_letter_waits_for_its_contacts_window(client):
    t = sign_up(client)
    r = client.put("/api/v1/contacts/settings", headers=t.headers,
                   json={"time_zone": "Europe/Kyiv"})
    assert r.status_code == 200 and r.json()["time_zone"] == "Europe/Kyiv"
    tag = unique("window")
    weekdays = {"start": "09:00", "end": "18:00", "days": ["mon", "tue", "wed", "thu", "fri"]}
    people = {
        "new_york": {"time_zone": "America/New_York", "send_window": weekdays},
        "kyiv": {"send_window": {"start": "09:00", "end": "18:00"}},  # the tenant's zone
        "anytime": {},
        "tokyo": {"time_zone": "Asia/Tokyo",
                  "send_window": {"start": "09:00", "end": "12:00", "days": ["sat", "sun"]}},
    }
    addresses = {}
    ids = {}
    for name, reach in people.items():
        addresses[name] = f"{name}.{t.slug}@example.com"
        who = contact(client, t, given_name=name.title(), tags=[tag], email=addresses[name],
                      **reach)
        ids[who] = name
        consent(client, t, who, "email", "opt_in")
    made = template(client, t, language="en", subject="Hello", body="{{ salutation }}")
    c = campaign(client, t, made["id"], {"filter": f"tags:in:{tag}"},
                 in_contact_window=True)
    assert c["in_contact_window"] is True
    r = client.post(f"{CAMPAIGNS}/{c['id']}/schedule", headers=t.headers,
                    json={"send_at": SEND_AT.isoformat()})
    assert r.status_code == 200, r.text

    run_pass(client, clock=lambda: _at(5, 6, 30))
    assert _sent(t, addresses) == {"anytime"}
    messages = client.get(f"{CAMPAIGNS}/{c['id']}/messages", headers=t.headers).json()["items"]
    due = {ids[m["contact_id"]]: m["due_at"] for m in messages}
    # Kyiv 09:00 is 07:00 UTC, New York 09:00 is 14:00 UTC, Tokyo's Saturday 09:00 is
    # Friday 24:00 UTC.
    assert datetime.fromisoformat(due["kyiv"]) == _at(5, 7)
    assert datetime.fromisoformat(due["new_york"]) == _at(5, 14)
    assert datetime.fromisoformat(due["tokyo"]) == _at(10, 0)
    progress = client.get(f"{CAMPAIGNS}/{c['id']}", headers=t.headers).json()
    assert progress["status"] == "sending" and progress["progress"]["pending"] == 3

    run_pass(client, clock=lambda: _at(5, 7, 30))
    assert _sent(t, addresses) == {"anytime", "kyiv"}
    run_pass(client, clock=lambda: _at(5, 15))
    assert _sent(t, addresses) == {"anytime", "kyiv", "new_york"}
    run_pass(client, clock=lambda: _at(9, 23))
    assert "tokyo" not in _sent(t, addresses)
    run_pass(client, clock=lambda: _at(10, 1))
    run_pass(client, clock=lambda: _at(10, 1))
    assert _sent(t, addresses) == set(people)
    assert all(len(mailbox.MAILBOX.sent_to(a)) == 1 for a in addresses.values())
    done = client.get(f"{CAMPAIGNS}/{c['id']}", headers=t.headers).json()
    assert done["status"] == "sent" and done["progress"]["sent"] == 4


def test_the_contacts_zone_and_window_through_the_api(client):
    t = sign_up(client)
    r = client.post("/api/v1/contacts", headers=t.headers, json={
        "given_name": "Olena", "time_zone": "Europe/Kyiv",
        "send_window": {"start": "22:00", "end": "06:00", "days": ["fri", "sat"]}})
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["time_zone"] == "Europe/Kyiv"
    assert made["send_window"] == {"start": "22:00", "end": "06:00", "days": ["fri", "sat"]}
    path = f"/api/v1/contacts/{made['id']}"
    r = client.patch(path, headers=t.headers,
                     json={"send_window": {"start": "09:30", "end": "17:00"}})
    assert r.status_code == 200, r.text
    assert r.json()["send_window"]["days"] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert r.json()["time_zone"] == "Europe/Kyiv"
    r = client.patch(path, headers=t.headers, json={"send_window": None, "time_zone": None})
    assert r.status_code == 200 and r.json()["send_window"] is None
    assert r.json()["time_zone"] is None

    def refused(body: dict, field: str) -> None:
        r = client.patch(path, headers=t.headers, json=body)
        assert r.status_code in (400, 422), r.text
        assert field in r.text, r.text

    refused({"time_zone": "Mars/Olympus"}, "time_zone")
    refused({"send_window": {"start": "25:00", "end": "06:00"}}, "send_window")
    refused({"send_window": {"start": "09:00", "end": "09:00"}}, "send_window.end")
    refused({"send_window": {"start": "09:00", "end": "10:00", "days": ["someday"]}},
            "send_window")
    r = client.put("/api/v1/contacts/settings", headers=t.headers,
                   json={"time_zone": "Nowhere/Town"})
    assert r.status_code == 422 and "time_zone" in r.text
    assert client.get(path, headers=t.headers).json()["time_zone"] is None


def test_the_import_maps_zone_and_window_and_the_export_writes_them(client):
    from tests.core.imports.support import csv_text, imported, post_csv

    t = sign_up(client)
    header = ["external_id", "given_name", "time_zone", "send_window"]
    body = csv_text(header, ["w1", "Ira", "Europe/Kyiv", "09:00-18:00 mon-fri"],
                    ["w2", "Max", "", "22:00-06:00"], ["w3", "Ada", "Asia/Tokyo", ""])
    summary = imported(client, t, body)
    assert summary["created"] == 3, summary
    found = {c["external_id"]: c for c in client.get(
        "/api/v1/contacts", headers=t.headers, params={"limit": 10}).json()["items"]}
    assert found["w1"]["time_zone"] == "Europe/Kyiv"
    assert found["w1"]["send_window"] == {"start": "09:00", "end": "18:00",
                                          "days": ["mon", "tue", "wed", "thu", "fri"]}
    assert found["w2"]["time_zone"] is None and found["w2"]["send_window"]["end"] == "06:00"
    assert found["w3"]["time_zone"] == "Asia/Tokyo" and found["w3"]["send_window"] is None
    # An update changes only the cells given.
    imported(client, t, csv_text(["external_id", "send_window"], ["w3", "10:00-12:00 sat"]))
    again = client.get(f"/api/v1/contacts/{found['w3']['id']}", headers=t.headers).json()
    assert again["time_zone"] == "Asia/Tokyo"
    assert again["send_window"] == {"start": "10:00", "end": "12:00", "days": ["sat"]}
    # Bad cells are named by row and column; nothing is written.
    r = post_csv(client, t, csv_text(header, ["w4", "Bo", "Mars/Base", "9-5"]),
                 dry_run="true")
    assert r.status_code == 200, r.text
    errors = {(e["column"], e["message"]) for e in r.json()["errors"]}
    assert {c for c, _ in errors} == {"time_zone", "send_window"}, errors
    # The export writes the same text back.
    exported = client.get("/api/v1/contacts/export", headers=t.headers,
                          params={"format": "csv"}).text
    assert 'Europe/Kyiv,"09:00-18:00 mon,tue,wed,thu,fri"' in exported
