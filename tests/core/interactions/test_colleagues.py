""" "Has a colleague already worked with this customer?" — the section and its hook."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from rapport.db.session import make_engine, make_sessionmaker, tenant_session
from rapport.hooks import ContactSummaryQuery, resolve_summaries
from tests.conftest import Database, TenantHandle
from tests.core.interactions.support import contact, log, member, user_id_of


def _colleagues(client, org: TenantHandle, person: str) -> dict:
    r = client.get(f"/api/v1/contacts/{person}/colleagues", headers=org.headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_each_members_latest_interaction_newest_first(client, tenant):
    colleague = member(client, tenant)
    person = contact(client, tenant)
    assert _colleagues(client, tenant, person) == {"last_interactions": [], "interaction_count": 0}
    log(
        client,
        colleague,
        person,
        kind="visit",
        subject="Old visit",
        occurred_at="2025-01-01T09:00:00Z",
    )
    log(
        client,
        tenant.headers,
        person,
        kind="email",
        subject="Offer",
        occurred_at="2025-02-01T09:00:00Z",
    )
    log(
        client,
        colleague,
        person,
        kind="call",
        subject="Follow-up",
        occurred_at="2025-03-01T09:00:00Z",
    )
    log(client, tenant.headers, contact(client, tenant, "Someone else"), subject="Not this one")
    section = _colleagues(client, tenant, person)
    assert section["interaction_count"] == 3
    assert [
        (i["member_id"], i["member_name"], i["kind"], i["subject"], i["occurred_at"])
        for i in section["last_interactions"]
    ] == [
        (user_id_of(client, colleague), "A member", "call", "Follow-up", "2025-03-01T09:00:00Z"),
        (
            user_id_of(client, tenant.headers),
            "Olena Owner",
            "email",
            "Offer",
            "2025-02-01T09:00:00Z",
        ),
    ]


def test_the_contact_summary_hook_answers_the_same_section(client, database: Database, tenant):
    person = contact(client, tenant)
    log(client, tenant.headers, person, subject="Intro", occurred_at="2025-04-01T08:00:00Z")
    owner = uuid.UUID(user_id_of(client, tenant.headers))
    hooks = client.app.state.registry.for_tenant(frozenset())

    async def ask() -> list:
        engine = make_engine(database.app_url, pool_size=1)
        try:
            maker = make_sessionmaker(engine)
            async with tenant_session(maker, uuid.UUID(tenant.id), owner) as session:
                query = ContactSummaryQuery(uuid.UUID(tenant.id), uuid.UUID(person), session, None)
                answers = await hooks.call_each("rapport_contact_summary", query=query)
                return await resolve_summaries(query, answers)
        finally:
            await engine.dispose()

    answers = dict(asyncio.run(ask()))
    section = answers["interactions"]
    assert section["interaction_count"] == 1
    (latest,) = section["last_interactions"]
    assert latest["member_id"] == str(owner) and latest["subject"] == "Intro"
    assert datetime.fromisoformat(latest["occurred_at"]) == datetime(2025, 4, 1, 8, tzinfo=UTC)
    api = _colleagues(client, tenant, person)["last_interactions"][0]
    assert {k: v for k, v in latest.items() if k != "occurred_at"} == {
        k: v for k, v in api.items() if k != "occurred_at"
    }


def test_a_viewer_sees_the_section_too(client, tenant):
    viewer = member(client, tenant, "viewer")
    person = contact(client, tenant)
    log(client, tenant.headers, person)
    r = client.get(f"/api/v1/contacts/{person}/colleagues", headers=viewer)
    assert r.status_code == 200 and r.json()["interaction_count"] == 1


def test_the_contact_view_carries_the_section(client, tenant):
    person = contact(client, tenant)
    log(client, tenant.headers, person, subject="Welcome call", occurred_at="2025-04-02T08:00:00Z")
    view = client.get(f"/api/v1/contacts/{person}", headers=tenant.headers)
    assert view.status_code == 200, view.text
    activity = view.json()["activity"]
    assert activity["interaction_count"] == 1
    assert [i["subject"] for i in activity["last_interactions"]] == ["Welcome call"]


def test_a_merge_brings_the_others_interactions_along(client, tenant):
    survivor, other = contact(client, tenant, "Ivan"), contact(client, tenant, "Ivan dup")
    colleague = member(client, tenant)
    log(client, tenant.headers, survivor, occurred_at="2025-01-01T09:00:00Z")
    moved = log(
        client, colleague, other, subject="Met at the fair", occurred_at="2025-02-01T09:00:00Z"
    )
    r = client.post(
        f"/api/v1/contacts/{survivor}/merge", json={"other_id": other}, headers=tenant.headers
    )
    assert r.status_code == 200, r.text
    section = _colleagues(client, tenant, survivor)
    assert section["interaction_count"] == 2
    assert section["last_interactions"][0]["subject"] == "Met at the fair"
    timeline = client.get(f"/api/v1/contacts/{survivor}/timeline", headers=tenant.headers).json()
    assert moved["id"] in [i["record_id"] for i in timeline["items"]]
