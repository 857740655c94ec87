"""Tenants never see or move each other's workflows; the database enforces it too; two
concurrent fires from one state cannot both succeed."""

from __future__ import annotations

import asyncio
import time
import uuid

import psycopg
import pytest
from litestar.testing import TestClient
from sqlalchemy import text

from rapport.core.workflows import fire, history
from rapport.db.session import make_engine, make_sessionmaker, tenant_session
from rapport.errors import RapportError
from rapport.tenancy.principal import Principal
from tests.conftest import Database, TenantHandle
from tests.core.workflows.conftest import DEFINITIONS, member_headers, new_record

TABLES = ("workflow_instances", "workflow_transitions", "workflow_stages")


def principal_of(client: TestClient, org: TenantHandle) -> Principal:
    me = client.get("/api/v1/me", headers=org.headers).json()
    members = client.get("/api/v1/members", headers=org.headers).json()["items"]
    mine = next(m for m in members if m["user_id"] == me["user"]["id"])
    return Principal(
        uuid.UUID(me["user"]["id"]), me["user"]["email"], me["user"]["full_name"],
        uuid.UUID(me["tenant"]["id"]), me["tenant"]["slug"], me["tenant"]["name"],
        uuid.UUID(mine["id"]), me["role"],
    )


def test_another_tenant_cannot_read_or_fire_on_a_record(
    wf_client: TestClient, org: TenantHandle, other_org: TenantHandle
) -> None:
    rec = new_record(wf_client, org, email="ada@example.com")
    assert wf_client.get(rec.url, headers=other_org.headers).status_code == 404
    for name in ("qualify", "lose"):
        r = wf_client.post(f"{rec.url}/transitions/{name}", headers=other_org.headers)
        assert r.status_code == 404, r.text
    plugin_route = f"/api/v1/test-crm/contacts/{rec.id}"
    assert wf_client.post(f"{plugin_route}/transitions/lose",
                          headers=other_org.headers).status_code == 404
    # Nor can it start its own instance on a record it does not own.
    assert wf_client.post(f"{plugin_route}/workflows/test.deal",
                          headers=other_org.headers).status_code == 404
    body = wf_client.get(rec.url, headers=org.headers).json()
    assert body["state"]["key"] == "lead" and len(body["history"]) == 1


def test_stage_changes_of_one_tenant_do_not_touch_another(
    wf_client: TestClient, org: TenantHandle, other_org: TenantHandle
) -> None:
    stages = "/api/v1/workflows/test.deal/stages"
    wf_client.put(stages, headers=org.headers,
                  json={"stages": [{"key": "demo", "label": "Demo", "position": 1}]})
    rec = new_record(wf_client, org)
    wf_client.post(f"{rec.url}/transitions/move_to_demo", headers=org.headers)
    # The other tenant adds and removes a stage of the same key: it counts only its records.
    assert wf_client.put(stages, headers=other_org.headers,
                         json={"stages": [{"key": "demo", "label": "D"}]}).status_code == 200
    assert wf_client.put(stages, headers=other_org.headers,
                         json={"stages": []}).status_code == 200
    theirs = new_record(wf_client, other_org)
    r = wf_client.post(f"{theirs.url}/transitions/move_to_demo", headers=other_org.headers)
    assert r.status_code == 404
    assert wf_client.get(rec.url, headers=org.headers).json()["state"]["label"] == "Demo"


def test_without_a_tenant_context_the_app_role_sees_no_workflow_rows(
    wf_client: TestClient, org: TenantHandle, database: Database
) -> None:
    wf_client.put("/api/v1/workflows/test.deal/stages", headers=org.headers,
                  json={"stages": [{"key": "lead", "label": "Inbound"}]})
    new_record(wf_client, org)
    with database.connect_app() as conn:
        for table in TABLES:
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (org.id,))
        for table in TABLES:
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            assert row is not None and row[0] >= 1, table
            other = conn.execute(f"SELECT count(*) FROM {table} WHERE tenant_id <> %s",
                                 (org.id,)).fetchone()
            assert other == (0,), table
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO workflow_stages (tenant_id, id, workflow, key, label)"
                " VALUES (%s, %s, 'test.deal', 'sneaky', 'Sneaky')",
                (org.id, uuid.uuid4()),
            )


def test_two_concurrent_fires_from_one_state_cannot_both_succeed(
    wf_client: TestClient, org: TenantHandle, database: Database
) -> None:
    rec = new_record(wf_client, org)
    actor = principal_of(wf_client, org)
    record_id = uuid.UUID(rec.id)

    async def scenario() -> RapportError | None:
        engine = make_engine(database.app_url, pool_size=3)
        maker = make_sessionmaker(engine)

        async def fire_lose() -> None:
            async with tenant_session(maker, actor.tenant_id, actor.user_id) as session:
                await fire(session, actor, DEFINITIONS, "test.deal", record_id, "lose",
                           note="second")

        try:
            async with tenant_session(maker, actor.tenant_id, actor.user_id) as first:
                await fire(first, actor, DEFINITIONS, "test.deal", record_id, "lose",
                           note="first")
                second = asyncio.create_task(fire_lose())
                await _wait_for_row_lock_waiter(engine)
            # The first transaction has committed; the second now re-reads the row.
            try:
                await second
            except RapportError as exc:
                return exc
            return None
        finally:
            await engine.dispose()

    refused = asyncio.run(scenario())
    assert refused is not None and refused.status == 409
    assert refused.extra["current_state"] == "lost"
    body = wf_client.get(rec.url, headers=org.headers).json()
    assert [(h["transition"], h["note"]) for h in body["history"]] == [
        (None, None), ("lose", "first")
    ]


async def _wait_for_row_lock_waiter(engine: object) -> None:
    """Until a session of ours is blocked on a row lock of workflow_instances (5 s at most)."""
    from sqlalchemy.ext.asyncio import AsyncEngine

    assert isinstance(engine, AsyncEngine)
    deadline = time.monotonic() + 5
    async with engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = await conn.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE '%FROM workflow_instances%FOR UPDATE%'"
            ))
            await conn.rollback()
            if waiting:
                return
            await asyncio.sleep(0.02)
    raise AssertionError("the second fire never waited for the first one's row lock")


def test_the_service_history_matches_what_the_api_shows(
    wf_client: TestClient, org: TenantHandle, database: Database
) -> None:
    rec = new_record(wf_client, org, email="ada@example.com")
    member = member_headers(wf_client, org, "member")
    wf_client.post(f"{rec.url}/transitions/qualify", headers=member, json={"note": "met"})
    actor = principal_of(wf_client, org)

    async def read() -> list[tuple[str | None, str | None, str, str | None]]:
        engine = make_engine(database.app_url, pool_size=1)
        try:
            async with tenant_session(make_sessionmaker(engine), actor.tenant_id) as session:
                steps = await history(session, actor, "test.deal", uuid.UUID(rec.id))
                return [(s.entry.transition, s.entry.from_state, s.entry.to_state,
                         s.actor_name) for s in steps]
        finally:
            await engine.dispose()

    assert asyncio.run(read()) == [
        (None, None, "lead", "Olena Owner"), ("qualify", "lead", "qualified", "A member")
    ]
