"""Tasks through the HTTP API: assignment, completion, the lists people work from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import sign_up
from tests.core.deals.support import audit_log, contact, member, member_id, outbox


def _at(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def _task(client, t, headers=None, **body) -> dict:
    r = client.post("/api/v1/tasks", json={"title": "Call back", **body},
                    headers=headers or t.headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_task_lifecycle(client, database, tenant):
    h = tenant.headers
    who = contact(client, tenant)
    deal = client.post("/api/v1/deals", json={"title": "Deal", "contact_id": who}, headers=h)
    task = _task(client, tenant, notes="About the quote", due_at=_at(24), remind_at=_at(20),
                 contact_id=who, deal_id=deal.json()["id"])
    assert task["assignee_id"] == member_id(client, tenant)
    assert task["done"] is False and task["overdue"] is False
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=h).json() == task

    r = client.patch(f"/api/v1/tasks/{task['id']}", json={"notes": None, "due_at": _at(-1)},
                     headers=h)
    assert r.status_code == 200 and r.json()["notes"] is None and r.json()["overdue"] is True

    done = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=h)
    assert done.status_code == 200
    body = done.json()
    assert body["done"] is True and body["overdue"] is False and body["done_at"]
    me = client.get("/api/v1/me", headers=h).json()["user"]["id"]
    assert body["done_by"] == me
    again = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=h).json()
    assert again["done_at"] == body["done_at"]  # idempotent: the first completion stands

    reopened = client.patch(f"/api/v1/tasks/{task['id']}", json={"done": False}, headers=h)
    assert reopened.json()["done"] is False and reopened.json()["done_by"] is None

    assert client.delete(f"/api/v1/tasks/{task['id']}", headers=h).status_code == 204
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=h).status_code == 404
    actions = [e["action"] for e in audit_log(client, tenant, "task", task["id"])]
    assert actions == ["delete", "update", "update", "update", "create"]
    assert len(outbox(database, tenant.id, "task.completed")) == 1
    assert len(outbox(database, tenant.id, "task.created")) == 1


def test_the_lists_people_work_from(client):
    tenant = sign_up(client)
    h = tenant.headers
    who = contact(client, tenant)
    colleague_id, colleague = member(client, tenant)
    late = _task(client, tenant, title="Late", due_at=_at(-2), contact_id=who)
    soon = _task(client, tenant, title="Soon", due_at=_at(2))
    finished = _task(client, tenant, title="Finished", due_at=_at(-5))
    client.post(f"/api/v1/tasks/{finished['id']}/complete", headers=h)
    delegated = _task(client, tenant, title="Delegated", assignee_id=colleague_id,
                      due_at=_at(-1))
    theirs = _task(client, tenant, headers=colleague, title="Their own")

    def titles(query: str, headers=h) -> list[str]:
        r = client.get(f"/api/v1/tasks?{query}", headers=headers)
        assert r.status_code == 200, r.text
        return [t["title"] for t in r.json()["items"]]

    assert titles("assignee=me") == ["Finished", "Soon", "Late"]
    assert titles("assignee=me&open=true") == ["Soon", "Late"]
    assert titles("open=false") == ["Finished"]
    assert titles("overdue=true") == ["Delegated", "Late"]
    assert titles("assignee=me&overdue=true") == ["Late"]
    assert titles("overdue=false") == ["Their own", "Finished", "Soon"]
    assert titles("assignee=me", colleague) == ["Their own", "Delegated"]
    assert titles(f"assignee={colleague_id}") == ["Their own", "Delegated"]
    assert titles(f"contact_id={who}") == ["Late"]
    assert {late["id"], soon["id"], theirs["id"], delegated["id"]} <= {
        t["id"] for t in client.get("/api/v1/tasks?limit=200", headers=h).json()["items"]
    }
    page = client.get("/api/v1/tasks?limit=3", headers=h).json()
    rest = client.get(f"/api/v1/tasks?limit=3&cursor={page['next_cursor']}", headers=h).json()
    assert [t["title"] for t in page["items"] + rest["items"]] == [
        "Their own", "Delegated", "Finished", "Soon", "Late"
    ]
    assert rest["next_cursor"] is None
    assert client.get("/api/v1/tasks?assignee=someone", headers=h).status_code == 422
    assert client.get("/api/v1/tasks?open=perhaps", headers=h).status_code in (400, 422)


def test_task_input_errors_name_the_field(client, tenant, other_tenant):
    h = tenant.headers
    theirs = contact(client, other_tenant)
    their_deal = client.post("/api/v1/deals", json={"title": "T"}, headers=other_tenant.headers)
    cases = [
        ({"title": ""}, "title"),
        ({"title": "  "}, "title"),
        ({"due_at": "2030-01-01T10:00:00"}, "due_at"),  # no UTC offset
        ({"remind_at": "tomorrow"}, "remind_at"),
        ({"notes": "x" * 10_001}, "notes"),
        ({"contact_id": theirs}, "contact_id"),
        ({"deal_id": their_deal.json()["id"]}, "deal_id"),
        ({"assignee_id": member_id(client, other_tenant)}, "assignee_id"),
    ]
    for body, field in cases:
        r = client.post("/api/v1/tasks", json={"title": "T", **body}, headers=h)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["errors"][0]["field"] == field, (body, r.json())


def test_viewers_read_but_do_not_write(client, tenant):
    task = _task(client, tenant)
    _, viewer = member(client, tenant, "viewer")
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=viewer).status_code == 200
    assert client.post(f"/api/v1/tasks/{task['id']}/complete", headers=viewer).status_code == 403
    assert client.post("/api/v1/tasks", json={"title": "No"}, headers=viewer).status_code == 403


def test_deleting_the_deal_or_assignee_keeps_the_task(client, tenant):
    h = tenant.headers
    colleague_id, _ = member(client, tenant)
    deal = client.post("/api/v1/deals", json={"title": "Gone soon"}, headers=h).json()
    task = _task(client, tenant, deal_id=deal["id"], assignee_id=colleague_id)
    client.delete(f"/api/v1/deals/{deal['id']}", headers=h)
    # The trash keeps the link until the deal is purged.
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=h).json()["deal_id"] == deal["id"]
    client.delete(f"/api/v1/trash/deals/{deal['id']}", headers=h)
    client.delete(f"/api/v1/members/{colleague_id}", headers=h)
    got = client.get(f"/api/v1/tasks/{task['id']}", headers=h).json()
    assert got["deal_id"] is None and got["assignee_id"] is None and got["title"] == "Call back"
