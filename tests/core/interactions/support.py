"""Helpers for interaction tests: contacts, members and interactions made over HTTP, and
rows bulk-inserted for the index checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar.testing import TestClient

from tests.conftest import Database, TenantHandle
from tests.core.sharing.support import member_headers, user_id_of

INTERACTIONS = "/api/v1/interactions"

__all__ = ["INTERACTIONS", "bulk_interactions", "contact", "log", "member", "user_id_of"]


def contact(client: TestClient, org: TenantHandle, name: str = "Taras") -> str:
    r = client.post("/api/v1/contacts", json={"given_name": name}, headers=org.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def member(client: TestClient, org: TenantHandle, role: str = "member") -> dict[str, str]:
    return member_headers(client, org, role)


def log(
    client: TestClient, headers: Mapping[str, str], contact_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"contact_id": contact_id, "kind": "call", **fields}
    r = client.post(INTERACTIONS, json=body, headers=dict(headers))
    assert r.status_code == 201, r.text
    return r.json()


def bulk_interactions(
    database: Database, tenant_id: str, contact_id: str, members: list[str], count: int
) -> None:
    """``count`` interactions spread over ``members`` and the last ``count`` hours, written
    in one statement (as the superuser: bulk test data, not a behaviour under test)."""
    with database.connect_superuser() as conn:
        conn.execute(
            """
            INSERT INTO interactions (tenant_id, id, contact_id, kind, occurred_at, member_id,
                                      subject)
            SELECT %(t)s, uuidv7(), %(c)s, 'call', now() - g * interval '1 hour',
                   (%(m)s::uuid[])[1 + g %% cardinality(%(m)s::uuid[])], 'Bulk ' || g
            FROM generate_series(1, %(n)s) g
            """,
            {"t": tenant_id, "c": contact_id, "m": members, "n": count},
        )
        # Fresh statistics and visibility map, as autovacuum would leave them.
        conn.execute("VACUUM ANALYZE interactions")


def explain(database: Database, tenant_id: str, statement: Any) -> str:
    """The plan PostgreSQL picks for a SQLAlchemy statement, run as the app role in the
    tenant's context (so the RLS policy is part of the plan, as in production)."""
    from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

    compiled = statement.compile(dialect=PGDialect_psycopg())
    with database.connect_app() as conn:
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant_id,))
        rows = conn.execute("EXPLAIN " + str(compiled), compiled.params).fetchall()
        conn.rollback()
    return "\n".join(r[0] for r in rows)
