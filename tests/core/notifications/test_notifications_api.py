"""Notifications through the HTTP API: a member's own only, newest first, marked read."""

from __future__ import annotations

import uuid

from tests.conftest import sign_up
from tests.core.deals.support import member
from tests.core.tasks.support import at, deliver, notifications, stored_notifications, task


def _reminded(client, t, headers=None, **body) -> dict:
    made = task(client, t, headers=headers, remind_at=at(-1), **body)
    deliver(client)
    return made


def test_a_member_never_sees_another_members_notifications(client, database, tenant):
    a_id, a = member(client, tenant)
    _, b = member(client, tenant)
    _reminded(client, tenant, title="For A", assignee_id=a_id)
    [note] = notifications(client, a)["items"]
    assert notifications(client, b) == {"items": [], "next_cursor": None, "unread_count": 0}
    # B cannot read it, mark it, or mark it by marking "all".
    r = client.post(f"/api/v1/notifications/{note['id']}/read", headers=b)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem")
    assert client.post("/api/v1/notifications/read-all", headers=b).json() == {"marked": 0}
    assert notifications(client, a)["items"][0]["read"] is False
    # An owner sees no more than anyone else: notifications are personal.
    assert notifications(client, tenant.headers)["items"] == []


def test_newest_first_with_a_cursor_and_an_unread_filter(client, database):
    t = sign_up(client)
    made = [_reminded(client, t, title=f"Reminder {n}") for n in range(5)]
    page = notifications(client, t.headers, "?limit=2")
    assert [n["title"] for n in page["items"]] == ["Reminder 4", "Reminder 3"]
    assert page["unread_count"] == 5 and page["next_cursor"]
    rest = notifications(client, t.headers, f"?limit=2&cursor={page['next_cursor']}")
    assert [n["title"] for n in rest["items"]] == ["Reminder 2", "Reminder 1"]
    last = notifications(client, t.headers, f"?limit=2&cursor={rest['next_cursor']}")
    assert [n["title"] for n in last["items"]] == ["Reminder 0"] and last["next_cursor"] is None

    newest = page["items"][0]
    read = client.post(f"/api/v1/notifications/{newest['id']}/read", headers=t.headers)
    assert read.status_code == 200 and read.json()["read"] is True and read.json()["read_at"]
    again = client.post(f"/api/v1/notifications/{newest['id']}/read", headers=t.headers)
    assert again.json()["read_at"] == read.json()["read_at"]  # the first reading stands

    unread = notifications(client, t.headers, "?unread=true")
    assert [n["title"] for n in unread["items"]] == [f"Reminder {n}" for n in (3, 2, 1, 0)]
    assert unread["unread_count"] == 4
    assert [n["id"] for n in notifications(client, t.headers, "?unread=false")["items"]] == [
        newest["id"]
    ]

    r = client.post("/api/v1/notifications/read-all", headers=t.headers)
    assert r.status_code == 200 and r.json() == {"marked": 4}
    assert notifications(client, t.headers, "?unread=true")["items"] == []
    assert client.post("/api/v1/notifications/read-all", headers=t.headers).json() == {
        "marked": 0
    }
    assert all(row[2] is not None for m in made
               for row in stored_notifications(database, t.id, m["id"]))


def test_other_tenants_notification_answers_404(client, tenant, other_tenant):
    _reminded(client, tenant, title="Tenant A's")
    [note] = notifications(client, tenant.headers)["items"]
    r = client.post(f"/api/v1/notifications/{note['id']}/read", headers=other_tenant.headers)
    assert r.status_code == 404
    assert notifications(client, other_tenant.headers)["items"] == []
    assert notifications(client, tenant.headers)["items"][0]["read"] is False


def test_viewers_get_and_mark_their_own(client, tenant):
    viewer_id, viewer = member(client, tenant, role="viewer")
    _reminded(client, tenant, title="Look at this", assignee_id=viewer_id)
    [note] = notifications(client, viewer)["items"]
    r = client.post(f"/api/v1/notifications/{note['id']}/read", headers=viewer)
    assert r.status_code == 200 and r.json()["read"] is True


def test_bad_input_is_a_clear_4xx(client, tenant):
    h = tenant.headers
    unknown = client.post(f"/api/v1/notifications/{uuid.uuid4()}/read", headers=h)
    assert unknown.status_code == 404 and unknown.json()["detail"] == "Notification not found"
    assert client.post("/api/v1/notifications/not-an-id/read", headers=h).status_code == 404
    cursor = client.get("/api/v1/notifications?cursor=%%%", headers=h)
    assert cursor.status_code == 400 and "cursor" in cursor.json()["detail"]
    for query in ("limit=0", "limit=201", "unread=perhaps", f"cursor={'x' * 65}"):
        r = client.get(f"/api/v1/notifications?{query}", headers=h)
        assert r.status_code in (400, 422), (query, r.text)
        # The problem document names the parameter at fault.
        assert query.split("=")[0] in r.text, (query, r.text)
    assert client.get("/api/v1/notifications").status_code == 401
