"""Logging a call from the customer page over plain HTTP: the API's InteractionIn and
interaction service (the call lands on the timeline and in the API), the time typed in the
member's zone, refusals beside the field, viewers and other tenants refused."""

from __future__ import annotations

from tests.conftest import add_member, sign_up
from tests.console.support import sign_in


def _contact(client, t, name="Lesya"):
    r = client.post("/api/v1/contacts", json={"given_name": name, "family_name": "Ukrainka"},
                    headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_log_a_call_from_the_customer_page(client):
    t = sign_up(client)
    c = _contact(client, t)
    csrf = sign_in(client, t)
    r0 = client.get(f"/contacts/{c}")
    page = r0.text
    assert r0.status_code == 200, page[page.find("<main"):][:1500]
    assert "Log a call or interaction" in page and f'action="/contacts/{c}/log"' in page
    client.post("/preferences", data={"_csrf": csrf, "time_zone": "Europe/Kyiv"})
    r = client.post(f"/contacts/{c}/log", follow_redirects=False, data={
        "_csrf": csrf, "kind": "call", "direction": "outbound", "subject": "Wants oat milk",
        "notes": "Call back on Friday", "outcome": "interested",
        "occurred_at": "2030-01-15T10:30"})
    assert r.status_code == 303 and r.headers["location"].startswith(f"/contacts/{c}?logged=")
    page = client.get(r.headers["location"]).text
    assert "Logged. It is on the timeline." in page and "Wants oat milk" in page
    got = client.get(f"/api/v1/interactions?contact_id={c}", headers=t.headers).json()["items"]
    assert len(got) == 1 and got[0]["kind"] == "call" and got[0]["direction"] == "outbound"
    assert got[0]["occurred_at"].startswith("2030-01-15T08:30")  # Kyiv, UTC+2 in winter

    # Empty time: now. A refusal stays in the form with what was typed.
    r = client.post(f"/contacts/{c}/log", data={"_csrf": csrf, "kind": "meeting"},
                    follow_redirects=False)
    assert r.status_code == 303
    r = client.post(f"/contacts/{c}/log", data={"_csrf": csrf, "kind": "séance",
                                                 "subject": "kept"})
    assert r.status_code == 422 and 'value="kept"' in r.text
    assert len(client.get(f"/api/v1/interactions?contact_id={c}",
                          headers=t.headers).json()["items"]) == 2
    assert client.get(f"/contacts/{c}/log").status_code == 200


def test_viewers_and_other_tenants_are_refused(client):
    t, other = sign_up(client), sign_up(client)
    c = _contact(client, t)
    theirs = _contact(client, other, "Secret")
    add_member(client, t, "v@example.com", role="viewer", password="viewer password 1")
    csrf = sign_in(client, t, email="v@example.com", password="viewer password 1")
    assert "Log a call or interaction" not in client.get(f"/contacts/{c}").text
    r = client.post(f"/contacts/{c}/log", data={"_csrf": csrf, "kind": "call"})
    assert r.status_code == 403
    client.post("/sign-out", data={"_csrf": csrf})
    csrf = sign_in(client, t)
    r = client.post(f"/contacts/{theirs}/log", data={"_csrf": csrf, "kind": "call"})
    assert r.status_code == 404
    assert client.get(f"/api/v1/interactions?contact_id={theirs}",
                      headers=other.headers).json()["items"] == []
