"""Dates and times in the member's time zone: their own choice on /preferences, else the
organization's (owners and admins set it), else UTC — shown through Babel, and a due time
typed into a task form is that zone's wall time."""

from __future__ import annotations

import re

from tests.conftest import add_member, sign_up
from tests.console.support import sign_in


def _shows(html: str, clock: str) -> bool:
    """English short times: "6:00 PM" (CLDR puts a narrow no-break space before PM)."""
    return re.search(clock.replace(" ", r"\s"), html) is not None


def _task(client, t, due):
    r = client.post("/api/v1/tasks", json={"title": "Call back", "due_at": due},
                    headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_times_follow_the_member_then_the_organization(client):
    t = sign_up(client)
    task = _task(client, t, "2030-01-15T09:00:00Z")
    csrf = sign_in(client, t)
    assert _shows(client.get("/tasks?who=all").text, "9:00 AM")  # nobody chose: UTC
    page = client.get("/preferences").text
    assert 'name="time_zone"' in page and '<option value="Europe/Kyiv">' in page

    r = client.post("/preferences", data={"_csrf": csrf, "tenant_time_zone": "Asia/Tokyo"})
    assert r.status_code == 200
    assert _shows(client.get("/tasks?who=all").text, "6:00 PM")  # the organization's, UTC+9
    r = client.post("/preferences", data={"_csrf": csrf, "time_zone": "Europe/Kyiv"})
    listing = client.get("/tasks?who=all").text
    assert _shows(listing, "11:00 AM") and not _shows(listing, "6:00 PM")  # mine: Kyiv, UTC+2
    assert 'value="2030-01-15T11:00"' in client.get(f"/tasks/{task['id']}/edit").text

    # Typed in the form: Kyiv's wall time (UTC+3 in summer).
    r = client.post("/tasks/new", data={"_csrf": csrf, "title": "Summer visit",
                                        "due_at": "2030-06-01T10:00"})
    assert r.status_code in (200, 303)
    found = [x for x in client.get("/api/v1/tasks?who=all", headers=t.headers).json()["items"]
             if x["title"] == "Summer visit"]
    assert found and found[0]["due_at"].startswith("2030-06-01T07:00")

    # Back to the organization's; an unknown zone is refused.
    client.post("/preferences", data={"_csrf": csrf, "time_zone": ""})
    assert _shows(client.get("/tasks?who=all").text, "6:00 PM")
    r = client.post("/preferences", data={"_csrf": csrf, "time_zone": "Mars/Olympus"})
    assert r.status_code == 422


def test_a_member_cannot_set_the_organizations_zone(client):
    t = sign_up(client)
    _task(client, t, "2030-01-15T09:00:00Z")
    add_member(client, t, "m@example.com", role="member", password="member password 1")
    csrf = sign_in(client, t, email="m@example.com", password="member password 1")
    assert 'name="tenant_time_zone"' not in client.get("/preferences").text
    client.post("/preferences", data={"_csrf": csrf, "tenant_time_zone": "Asia/Tokyo"})
    assert _shows(client.get("/tasks?who=all").text, "9:00 AM")
