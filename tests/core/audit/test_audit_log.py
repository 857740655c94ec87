"""Every contact change is logged with before/after; the log is append-only, private to
the tenants it concerns, and a cross-tenant read entry needs a live grant."""

from __future__ import annotations

import asyncio
import uuid

import psycopg
import pytest
from litestar.testing import TestClient
from sqlalchemy.exc import ProgrammingError

from rapport.core import audit
from rapport.db.session import make_engine, make_sessionmaker, tenant_session
from rapport.tenancy.principal import Principal
from tests.conftest import Database, TenantHandle
from tests.core.sharing.support import as_tenant, member_headers, user_id_of

AUDIT = "/api/v1/audit"


def _log(client: TestClient, org: TenantHandle, record_id: object, record_type: str = "contact"):
    r = client.get(f"{AUDIT}?record_type={record_type}&record_id={record_id}", headers=org.headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_contact_create_update_delete_are_logged_with_before_and_after(
    audit_client: TestClient, org: TenantHandle
) -> None:
    c = audit_client
    r = c.post(
        "/api/v1/contacts",
        json={"given_name": "Ann", "email": "Ann@Example.com"},
        headers=org.headers,
    )
    assert r.status_code == 201, r.text
    contact = r.json()["id"]
    url = f"/api/v1/contacts/{contact}"
    assert c.patch(url, json={"family_name": "Lee", "email": None}, headers=org.headers).is_success
    # A PATCH that changes nothing leaves no entry.
    assert c.patch(url, json={"family_name": "Lee"}, headers=org.headers).is_success
    assert c.delete(url, headers=org.headers).status_code == 204

    entries = _log(c, org, contact)
    assert [e["action"] for e in entries] == ["delete", "update", "create"]
    deleted, updated, created = entries
    assert created["changes"] == {"given_name": [None, "Ann"], "email": [None, "Ann@example.com"]}
    assert updated["changes"] == {"family_name": [None, "Lee"], "email": ["Ann@example.com", None]}
    assert deleted["changes"] == {"given_name": ["Ann", None], "family_name": ["Lee", None]}
    owner = user_id_of(c, org.headers)
    for e in entries:
        assert e["actor_user_id"] == owner and e["actor_tenant_id"] == org.id == e["tenant_id"]
        assert e["counterpart_tenant_id"] is None and e["at"]


def test_the_log_pages_and_is_for_owners_and_admins_only(
    audit_client: TestClient, org: TenantHandle
) -> None:
    c = audit_client
    for name in ("A", "B", "C"):
        c.post("/api/v1/contacts", json={"given_name": name}, headers=org.headers)
    # The owner's sign-ins are in the log too (record_type sign_in): the contacts' alone here.
    contacts = f"{AUDIT}?record_type=contact&limit=2"
    first = c.get(contacts, headers=org.headers).json()
    second = c.get(f"{contacts}&cursor={first['next_cursor']}", headers=org.headers).json()
    names = [e["changes"]["given_name"][1] for e in first["items"] + second["items"]]
    assert names == ["C", "B", "A"] and second["next_cursor"] is None

    admin = member_headers(c, org, "admin")
    assert c.get(AUDIT, headers=admin).status_code == 200
    assert c.get(AUDIT, headers=member_headers(c, org, "member")).status_code == 403
    r = c.get(f"{AUDIT}?record_id={uuid.uuid4()}", headers=org.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "record_type"


def test_another_tenants_audit_entries_are_invisible(
    audit_client: TestClient, database: Database, org: TenantHandle, other_org: TenantHandle
) -> None:
    c = audit_client
    contact = c.post("/api/v1/contacts", json={"given_name": "Private"}, headers=org.headers)
    assert _log(c, other_org, contact.json()["id"]) == []
    # other_org's log holds its own owner's sign-in and nothing of org's.
    theirs = c.get(AUDIT, headers=other_org.headers).json()["items"]
    assert [(e["tenant_id"], e["record_type"]) for e in theirs] == [(other_org.id, "sign_in")]
    with database.connect_app() as conn:
        as_tenant(conn, other_org.id)
        assert conn.execute("SELECT count(*) FROM audit_events WHERE tenant_id <> %s",
                            (other_org.id,)).fetchone()[0] == 0
        as_tenant(conn, None)
        assert conn.execute("SELECT count(*) FROM audit_events").fetchone()[0] == 0


def test_the_app_role_cannot_rewrite_or_erase_the_log(
    audit_client: TestClient, database: Database, org: TenantHandle
) -> None:
    audit_client.post("/api/v1/contacts", json={"given_name": "Kept"}, headers=org.headers)
    with database.connect_app() as conn:
        for statement in (
            "UPDATE audit_events SET action = 'forged'",
            "DELETE FROM audit_events",
        ):
            as_tenant(conn, org.id)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
            conn.rollback()
        as_tenant(conn, org.id)
        # Nor write into the log in another tenant's name.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO audit_events (tenant_id, id, actor_tenant_id, action, record_type,"
                " record_id) VALUES (gen_random_uuid(), gen_random_uuid(), %s, 'create',"
                " 'contact', gen_random_uuid())",
                (org.id,),
            )
    with database.connect_superuser() as conn:
        kept = conn.execute(
            "SELECT count(*) FROM audit_events WHERE tenant_id = %s AND action = 'create'",
            (org.id,),
        ).fetchone()[0]
    assert kept == 1


def _principal(client: TestClient, org: TenantHandle) -> Principal:
    me = client.get("/api/v1/me", headers=org.headers).json()
    return Principal(
        uuid.UUID(me["user"]["id"]),
        me["user"]["email"],
        me["user"]["full_name"],
        uuid.UUID(me["tenant"]["id"]),
        me["tenant"]["slug"],
        me["tenant"]["name"],
        uuid.uuid4(),
        me["role"],
    )


def test_a_cross_tenant_read_entry_needs_a_grant_and_is_seen_by_both(
    audit_client: TestClient,
    database: Database,
    org: TenantHandle,
    other_org: TenantHandle,
) -> None:
    """``org`` owns record R and grants ``other_org``; other_org's read lands in org's log."""
    record_id = uuid.uuid4()
    reader = _principal(audit_client, other_org)

    async def read(action: str = audit.READ) -> None:
        engine = make_engine(database.app_url, pool_size=1)
        try:
            maker = make_sessionmaker(engine)
            async with tenant_session(maker, reader.tenant_id, reader.user_id) as session:
                await audit.record(
                    session,
                    reader,
                    action,
                    "test.patient",
                    record_id,
                    detail={"section": "notes"},
                    owner_tenant_id=uuid.UUID(org.id),
                )
        finally:
            await engine.dispose()

    with pytest.raises(ProgrammingError, match="row-level security"):
        asyncio.run(read())
    with database.connect_app() as conn:
        as_tenant(conn, org.id)
        conn.execute(
            "INSERT INTO sharing_grants (tenant_id, id, grantee_tenant_id, record_type,"
            " record_id, sections, purpose, expires_at) VALUES (%s, gen_random_uuid(), %s,"
            " 'test.patient', %s, '{notes}', 'care', now() + interval '1 hour')",
            (org.id, other_org.id, record_id),
        )
    asyncio.run(read())
    # Only reads: the grantee cannot log anything else into the owner's history, neither
    # through the service nor in SQL.
    with pytest.raises(ValueError):
        asyncio.run(read(audit.UPDATE))
    with database.connect_app() as conn:
        as_tenant(conn, other_org.id, reader.user_id)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO audit_events (tenant_id, id, actor_user_id, actor_tenant_id, action,"
                " record_type, record_id, counterpart_tenant_id) VALUES (%s, gen_random_uuid(),"
                " %s, %s, 'update', 'test.patient', %s, %s)",
                (org.id, reader.user_id, other_org.id, record_id, other_org.id),
            )

    for side in (org, other_org):
        entries = _log(audit_client, side, record_id, "test.patient")
        assert [(e["action"], e["tenant_id"], e["counterpart_tenant_id"]) for e in entries] == [
            ("read", org.id, other_org.id)
        ], side.slug
