"""Helpers the deals, tasks, transactions and consent tests share: contacts, members, the
outbox, and EXPLAIN of the exact SQL an endpoint sends, as the app role."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from tests.conftest import TenantHandle, add_member, login, unique


def contact(client, t: TenantHandle, name: str = "Olha") -> str:
    r = client.post("/api/v1/contacts", json={"given_name": name}, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def member(client, t: TenantHandle, role: str = "member") -> tuple[str, dict[str, str]]:
    """A new member of ``t``: their member id and request headers."""
    email = f"{unique(role)}@{t.slug}.example.com"
    password = "a member's password " + t.slug
    added = add_member(client, t, email, role=role, full_name=f"{role.title()} Person",
                       password=password)
    token = login(client, t.slug, email, password)
    return added["id"], {"Authorization": f"Bearer {token}"}


def member_id(client, t: TenantHandle, email: str | None = None) -> str:
    """The member id of ``email`` (default: the tenant's owner)."""
    email = email or t.owner_email
    items = client.get("/api/v1/members", headers=t.headers).json()["items"]
    return next(m["id"] for m in items if m["email"] == email)


def outbox(database, tenant_id: str, name: str) -> list[dict[str, Any]]:
    """Events of ``name`` stored for the tenant, oldest first (superuser: RLS bypassed)."""
    with database.connect_superuser() as conn:
        rows = conn.execute(
            "SELECT record_id::text, payload FROM event_outbox"
            " WHERE tenant_id = %s AND name = %s ORDER BY id",
            (tenant_id, name),
        ).fetchall()
    return [{"record_id": r[0], "payload": r[1]} for r in rows]


def audit_log(client, t: TenantHandle, record_type: str, record_id: str) -> list[dict]:
    r = client.get(
        f"/api/v1/audit?record_type={record_type}&record_id={record_id}", headers=t.headers
    )
    assert r.status_code == 200, r.text
    return r.json()["items"]


@contextmanager
def captured_sql(client) -> Iterator[list[tuple[str, Any]]]:
    """Every statement the app sends to PostgreSQL, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    engine = client.app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def explain(database, tenant_id: str, sql: str, params: Any) -> str:
    """EXPLAIN as the app role in the tenant's context, like a request's transaction."""
    with database.connect_app() as conn:
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant_id,))
        plan = conn.execute("EXPLAIN " + sql, params).fetchall()
        conn.rollback()
    return "\n".join(r[0] for r in plan)


def analyze(database, *tables: str) -> None:
    with database.connect_owner() as conn:
        for table in tables:
            conn.execute(f"ANALYZE {table}")


def bulk(database, tenant_id: str, sql: str, params: dict[str, Any] | None = None) -> None:
    """Insert many rows in one statement, in the tenant's context (forced RLS binds the owner
    too); follow with ``analyze`` so the planner knows."""
    with database.connect_owner() as conn, conn.transaction():
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant_id,))
        conn.execute(sql, {"tenant": tenant_id, **(params or {})})


def plan_of(client, database, tenant, path: str, table: str) -> str:
    """Request ``path`` and EXPLAIN the one statement it ran against ``table``."""
    with captured_sql(client) as seen:
        r = client.get(path, headers=tenant.headers)
    assert r.status_code == 200, r.text
    [(sql, params)] = [(s, p) for s, p in seen if f"FROM {table}" in s]
    return explain(database, tenant.id, sql, params)


def assert_index_scan(plan: str, index: str) -> None:
    """``index`` is used and its table is never scanned whole (small lookup tables such as
    workflow_stages may be)."""
    table = index.removeprefix("ix_").split("_tenant_id")[0]
    assert index in plan, plan
    assert f"Seq Scan on {table} " not in plan, plan
