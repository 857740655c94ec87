"""Logging, reading, editing and deleting interactions over HTTP."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import TenantHandle
from tests.core.interactions.support import INTERACTIONS, contact, log, member, user_id_of

MISSING = "00000000-0000-7000-8000-000000000000"


def _fields(r) -> set[str]:
    assert r.status_code == 422, (r.status_code, r.text)
    return {e["field"] for e in r.json()["errors"]}


def test_logging_a_call_defaults_to_the_caller_and_now_and_is_audited(
    client, database, tenant: TenantHandle
):
    person = contact(client, tenant)
    before = datetime.now(UTC)
    made = log(
        client,
        tenant.headers,
        person,
        subject="Asked about delivery",
        direction="outbound",
        channel="phone",
        outcome="call back Friday",
    )
    assert made["member_id"] == user_id_of(client, tenant.headers)
    assert made["created_by"] == made["member_id"]
    assert before - timedelta(seconds=5) <= datetime.fromisoformat(made["occurred_at"])
    assert client.get(f"{INTERACTIONS}/{made['id']}", headers=tenant.headers).json() == made
    log_entries = client.get(
        f"/api/v1/audit?record_type=interaction&record_id={made['id']}", headers=tenant.headers
    ).json()["items"]
    assert [(e["action"], e["changes"]["subject"]) for e in log_entries] == [
        ("create", [None, "Asked about delivery"])
    ]
    with database.connect_superuser() as conn:
        events = conn.execute(
            "SELECT name, payload->>'kind' FROM event_outbox WHERE record_id = %s",
            (made["id"],),
        ).fetchall()
    assert events == [("interaction.logged", "call")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "fax"}, "kind"),
        ({"kind": None}, "kind"),
        ({"occurred_at": "2025-01-31T09:30:00"}, "occurred_at"),
        ({"occurred_at": "1066-10-14T09:00:00Z"}, "occurred_at"),
        ({"channel": "Carrier Pigeon"}, "channel"),
        ({"direction": "sideways"}, "direction"),
        ({"member_id": MISSING}, "member_id"),
        ({"deal_id": MISSING}, "deal_id"),
        ({"transaction_id": MISSING}, "transaction_id"),
        ({"subject": "nul\u0000byte"}, "subject"),
        ({"notes": 42}, "notes"),
        ({"contact_id": "not-a-uuid"}, "contact_id"),
    ],
)
def test_bad_fields_are_422_naming_them(client, tenant: TenantHandle, body, field):
    person = contact(client, tenant)
    r = client.post(
        INTERACTIONS, json={"contact_id": person, "kind": "call", **body}, headers=tenant.headers
    )
    assert _fields(r) == {field}


def test_another_tenants_contact_or_colleague_is_refused_like_an_unknown_one(
    client, database, tenant: TenantHandle, other_tenant: TenantHandle
):
    theirs = contact(client, other_tenant)
    answers = [
        client.post(INTERACTIONS, json={"contact_id": cid, "kind": "note"}, headers=tenant.headers)
        for cid in (theirs, MISSING)
    ]
    assert [r.status_code for r in answers] == [422, 422]
    assert answers[0].json() == answers[1].json()
    mine = contact(client, tenant)
    stranger = user_id_of(client, other_tenant.headers)
    r = client.post(
        INTERACTIONS,
        json={"contact_id": mine, "kind": "note", "member_id": stranger},
        headers=tenant.headers,
    )
    assert _fields(r) == {"member_id"}
    with database.connect_superuser() as conn:
        written = conn.execute(
            "SELECT count(*) FROM interactions WHERE tenant_id = %s", (tenant.id,)
        ).fetchone()[0]
    assert written == 0


def test_a_colleague_can_be_named_as_the_member(client, tenant: TenantHandle):
    colleague = member(client, tenant)
    colleague_id = user_id_of(client, colleague)
    made = log(client, tenant.headers, contact(client, tenant), member_id=colleague_id)
    assert made["member_id"] == colleague_id
    assert made["created_by"] == user_id_of(client, tenant.headers)


def test_list_filters_and_pages_exactly_through_shared_timestamps(client, tenant: TenantHandle):
    colleague = member(client, tenant)
    anna, boris = contact(client, tenant, "Anna"), contact(client, tenant, "Boris")
    noon = datetime(2025, 3, 3, 12, tzinfo=UTC)
    made = []
    for n in range(7):
        # Three pairs share a timestamp: a bare time cursor would skip or repeat them.
        at = (noon - timedelta(hours=n // 2)).isoformat()
        who = colleague if n % 3 == 0 else tenant.headers
        made.append(
            log(
                client,
                who,
                anna if n % 2 else boris,
                kind="email" if n % 2 else "visit",
                occurred_at=at,
            )
        )
    expected = sorted(made, key=lambda i: (i["occurred_at"], i["id"]), reverse=True)

    def walk(**params) -> list[str]:
        seen, cursor = [], None
        while True:
            q = {**params, "limit": 2, **({"cursor": cursor} if cursor else {})}
            page = client.get(INTERACTIONS, params=q, headers=tenant.headers).json()
            seen += [i["id"] for i in page["items"]]
            if not (cursor := page["next_cursor"]):
                return seen

    assert walk() == [i["id"] for i in expected]
    assert walk(contact_id=anna) == [i["id"] for i in expected if i["contact_id"] == anna]
    colleague_id = user_id_of(client, colleague)
    assert walk(member_id=colleague_id) == [
        i["id"] for i in expected if i["member_id"] == colleague_id
    ]
    assert walk(kind=["email", "visit"]) == [i["id"] for i in expected]
    assert walk(kind="visit") == [i["id"] for i in expected if i["kind"] == "visit"]
    since = noon - timedelta(hours=1)
    in_window = walk(since=since.isoformat(), until=noon.isoformat())
    assert in_window == [
        i["id"] for i in expected if since <= datetime.fromisoformat(i["occurred_at"]) < noon
    ]
    assert len(in_window) == 2


def test_list_rejects_bad_queries(client, tenant: TenantHandle):
    h = tenant.headers
    assert client.get(INTERACTIONS, params={"cursor": "garbage!"}, headers=h).status_code == 400
    assert client.get(INTERACTIONS, params={"kind": "fax"}, headers=h).status_code in (400, 422)
    r = client.get(INTERACTIONS, params={"since": "2025-01-01T00:00:00"}, headers=h)
    assert _fields(r) == {"since"}
    assert _fields(client.get(INTERACTIONS, params={"limit": 0}, headers=h)) == {"limit"}


def test_only_the_author_or_a_manager_may_edit_and_viewers_only_read(
    client, database, tenant: TenantHandle
):
    author, other, viewer = (
        member(client, tenant),
        member(client, tenant),
        member(client, tenant, "viewer"),
    )
    person = contact(client, tenant)
    made = log(client, author, person, subject="First visit", kind="visit")
    url = f"{INTERACTIONS}/{made['id']}"
    assert client.patch(url, json={"subject": "Mine now"}, headers=other).status_code == 403
    assert client.delete(url, headers=other).status_code == 403
    assert client.patch(url, json={"subject": "Viewer"}, headers=viewer).status_code == 403
    assert client.get(url, headers=viewer).status_code == 200
    r = client.post(INTERACTIONS, json={"contact_id": person, "kind": "note"}, headers=viewer)
    assert r.status_code == 403
    r = client.patch(
        url, json={"subject": " Second visit ", "notes": "brought samples"}, headers=author
    )
    assert r.status_code == 200, r.text
    assert (r.json()["subject"], r.json()["notes"]) == ("Second visit", "brought samples")
    r = client.patch(url, json={"outcome": "ordered", "notes": None}, headers=tenant.headers)
    assert (r.json()["outcome"], r.json()["notes"]) == ("ordered", None)
    assert client.delete(url, headers=author).status_code == 204
    assert client.get(url, headers=author).status_code == 404
    history = client.get(
        f"/api/v1/audit?record_type=interaction&record_id={made['id']}", headers=tenant.headers
    ).json()["items"]
    assert [e["action"] for e in history] == ["delete", "update", "update", "create"]
    assert history[2]["changes"] == {
        "subject": ["First visit", "Second visit"],
        "notes": [None, "brought samples"],
    }


def test_the_member_it_is_attributed_to_may_correct_it(client, tenant: TenantHandle):
    colleague = member(client, tenant)
    made = log(
        client, tenant.headers, contact(client, tenant), member_id=user_id_of(client, colleague)
    )
    r = client.patch(f"{INTERACTIONS}/{made['id']}", json={"kind": "meeting"}, headers=colleague)
    assert r.status_code == 200 and r.json()["kind"] == "meeting"


def test_patch_validates_what_changes(client, tenant: TenantHandle, other_tenant: TenantHandle):
    made = log(client, tenant.headers, contact(client, tenant))
    url = f"{INTERACTIONS}/{made['id']}"
    h = tenant.headers
    assert _fields(client.patch(url, json={"kind": None}, headers=h)) == {"kind"}
    assert _fields(client.patch(url, json={"occurred_at": None}, headers=h)) == {"occurred_at"}
    theirs = contact(client, other_tenant)
    assert _fields(client.patch(url, json={"contact_id": theirs}, headers=h)) == {"contact_id"}
    moved_to = contact(client, tenant, "Right person")
    r = client.patch(url, json={"contact_id": moved_to}, headers=h)
    assert r.status_code == 200 and r.json()["contact_id"] == moved_to
    unchanged = client.patch(url, json={}, headers=h)
    assert unchanged.status_code == 200 and unchanged.json()["contact_id"] == moved_to


def test_purging_a_contact_deletes_its_interactions(client, tenant: TenantHandle):
    person = contact(client, tenant)
    made = log(client, tenant.headers, person)
    assert client.delete(f"/api/v1/contacts/{person}", headers=tenant.headers).status_code == 204
    assert client.delete(f"/api/v1/trash/contacts/{person}",
                         headers=tenant.headers).status_code == 204
    assert client.get(f"{INTERACTIONS}/{made['id']}", headers=tenant.headers).status_code == 404


def test_a_removed_colleagues_history_stays(client, tenant: TenantHandle):
    colleague = member(client, tenant)
    colleague_id = user_id_of(client, colleague)
    made = log(client, colleague, contact(client, tenant))
    members = client.get("/api/v1/members", headers=tenant.headers).json()["items"]
    membership = next(m["id"] for m in members if m["user_id"] == colleague_id)
    assert client.delete(f"/api/v1/members/{membership}", headers=tenant.headers).status_code == 204
    again = client.get(f"{INTERACTIONS}/{made['id']}", headers=tenant.headers).json()
    assert again["member_id"] == colleague_id
    # …but nobody can attribute new work to someone who is no longer a member.
    r = client.post(
        INTERACTIONS,
        json={"contact_id": made["contact_id"], "kind": "call", "member_id": colleague_id},
        headers=tenant.headers,
    )
    assert _fields(r) == {"member_id"}


def test_unknown_interaction_is_404(client, tenant: TenantHandle):
    url = f"{INTERACTIONS}/{uuid.UUID(MISSING)}"
    assert client.get(url, headers=tenant.headers).status_code == 404
    assert client.patch(url, json={"subject": "x"}, headers=tenant.headers).status_code == 404
    assert client.delete(url, headers=tenant.headers).status_code == 404
