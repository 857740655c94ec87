"""Helpers for contact-profile tests: records made over HTTP, SQL as the app role."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.conftest import Database, TenantHandle

CONTACTS = "/api/v1/contacts"


def make(client: TestClient, t: TenantHandle, **body: Any) -> dict[str, Any]:
    """A contact the test means to create (duplicates allowed unless it says otherwise)."""
    r = client.post(CONTACTS, params={"allow_duplicate": "true"}, json=body, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()


def user_id(client: TestClient, t: TenantHandle) -> str:
    return client.get("/api/v1/me", headers=t.headers).json()["user"]["id"]


def explain(database: Database, tenant_id: str, sql: str, params: Any) -> str:
    """EXPLAIN as the app role in the tenant's context, with sequential scans discouraged:
    the question is whether the index *can* serve the condition under forced RLS."""
    with database.connect_app() as conn:
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant_id,))
        conn.execute("SET LOCAL enable_seqscan = off")
        plan = conn.execute("EXPLAIN " + sql, params).fetchall()
        conn.rollback()
    return "\n".join(r[0] for r in plan)


def compiled(statement: Any) -> tuple[str, dict[str, Any]]:
    """A SQLAlchemy statement as psycopg SQL and parameters."""
    from sqlalchemy.dialects import postgresql

    c = statement.compile(
        dialect=postgresql.psycopg.dialect(), compile_kwargs={"render_postcompile": True}
    )
    return str(c), dict(c.params)
