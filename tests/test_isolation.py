"""Tenant isolation, proven twice: in the database catalogue and SQL, and through the API.

Every endpoint with an id in its path must appear in ``CROSS_TENANT_TARGETS``; the last
test fails when a new endpoint forgets to join the attack.
"""

from __future__ import annotations

import re

import psycopg
import pytest

from tests.conftest import TenantHandle
from tests.isolation_targets import CROSS_TENANT_TARGETS

# --- the database catalogue --------------------------------------------------------------

TENANT_TABLES_SQL = """
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public'
  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
              AND a.attname = 'tenant_id' AND NOT a.attisdropped)
"""


def test_every_tenant_table_has_enabled_and_forced_rls(database):
    with database.connect_owner() as conn:
        rows = conn.execute(TENANT_TABLES_SQL).fetchall()
    assert rows, "no tenant tables found"
    lacking = [name for name, enabled, forced in rows if not (enabled and forced)]
    assert lacking == [], f"tables with tenant_id but without enabled+forced RLS: {lacking}"


def test_every_tenant_table_has_a_policy_on_tenant_id(database):
    with database.connect_owner() as conn:
        rows = conn.execute(
            TENANT_TABLES_SQL.replace(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity",
                "SELECT c.relname, (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)",
            )
        ).fetchall()
    assert [name for name, policies in rows if policies == 0] == []


def test_tenant_tables_have_composite_keys_and_tenant_led_indexes(database):
    with database.connect_owner() as conn:
        pks = conn.execute(
            """
            SELECT c.relname, array_agg(a.attname ORDER BY k.ord)
            FROM pg_constraint con
            JOIN pg_class c ON c.oid = con.conrelid
            JOIN LATERAL unnest(con.conkey) WITH ORDINALITY k(attnum, ord) ON true
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
            WHERE con.contype = 'p' AND c.relname IN (SELECT relname FROM ("""
            + TENANT_TABLES_SQL
            + """) t)
            GROUP BY c.relname
            """
        ).fetchall()
        fks = conn.execute(
            """
            SELECT c.relname, con.conname, r.relname,
                   (SELECT array_agg(a.attname) FROM pg_attribute a
                    WHERE a.attrelid = c.oid AND a.attnum = ANY(con.conkey))
            FROM pg_constraint con
            JOIN pg_class c ON c.oid = con.conrelid
            JOIN pg_class r ON r.oid = con.confrelid
            WHERE con.contype = 'f'
              AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = r.oid
                          AND a.attname = 'tenant_id')
            """
        ).fetchall()
        index_heads = conn.execute(
            """
            SELECT i.relname, c.relname, pg_get_indexdef(i.oid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class c ON c.oid = x.indrelid
            WHERE c.relname IN (SELECT relname FROM ("""
            + TENANT_TABLES_SQL
            + """) t)
            """
        ).fetchall()
    for table, columns in pks:
        # A record's key is (tenant_id, id); a link table's is the tenant and the ids it links.
        linked = len(columns) > 2 and all(c.endswith("_id") for c in columns)
        assert columns[0] == "tenant_id" and ("id" in columns or linked), (table, columns)
    for table, name, referenced, columns in fks:
        assert "tenant_id" in columns, f"{table}.{name} references tenant table {referenced}"
    for index, table, definition in index_heads:
        lead = re.search(r"\((.*)", definition).group(1)
        assert lead.startswith("tenant_id"), f"{index} on {table} is not led by tenant_id"


def test_app_role_is_neither_superuser_nor_owner(database):
    with database.connect_owner() as conn:
        role = conn.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'rapport_app'"
        ).fetchone()
        owned = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE tableowner = 'rapport_app'"
        ).fetchone()[0]
    assert role == (False, False)
    assert owned == 0


# --- SQL as the application role ---------------------------------------------------------


def _contact(client, t: TenantHandle, name: str) -> str:
    r = client.post("/api/v1/contacts", json={"given_name": name}, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _as_tenant(conn: psycopg.Connection, tenant_id: str | None) -> None:
    conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant_id or "",))


def test_sql_without_tenant_context_sees_nothing(client, database, tenant):
    _contact(client, tenant, "Hidden")
    with database.connect_app() as conn:
        for table in ("contacts", "memberships", "invitations"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
        # After a pooled connection had a tenant, '' must still mean "nobody", not an error.
        _as_tenant(conn, tenant.id)
        conn.commit()
        _as_tenant(conn, None)
        assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0


def test_sql_in_tenant_a_never_sees_tenant_b(client, database, tenant, other_tenant):
    a_id = _contact(client, tenant, "Anna")
    b_id = _contact(client, other_tenant, "Bohdan")
    with database.connect_app() as conn:
        _as_tenant(conn, tenant.id)
        ids = {str(r[0]) for r in conn.execute("SELECT id FROM contacts")}
        assert a_id in ids and b_id not in ids
        tenants_seen = {str(r[0]) for r in conn.execute("SELECT DISTINCT tenant_id FROM contacts")}
        assert tenants_seen == {tenant.id}


def test_sql_insert_for_another_tenant_is_refused(database, tenant, other_tenant):
    with database.connect_app() as conn:
        _as_tenant(conn, tenant.id)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO contacts (tenant_id, id, given_name) VALUES (%s, gen_random_uuid(), 'x')",
                (other_tenant.id,),
            )
        conn.rollback()
        _as_tenant(conn, None)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO contacts (tenant_id, id, given_name) VALUES (%s, gen_random_uuid(), 'x')",
                (tenant.id,),
            )


def test_sql_update_cannot_move_a_row_to_another_tenant(client, database, tenant, other_tenant):
    a_id = _contact(client, tenant, "Mover")
    with database.connect_app() as conn:
        _as_tenant(conn, tenant.id)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "UPDATE contacts SET tenant_id = %s WHERE id = %s", (other_tenant.id, a_id)
            )


# --- through the API ---------------------------------------------------------------------

# Paths whose parameter names a kind of thing, not a tenant's record; each tenant has its
# own settings for it, proven where named.
NOT_RECORD_PATHS = {
    "/api/v1/modules/{name}": "tests/core/modules: enabling is per tenant",
    "/api/v1/modules/{name}/settings": "tests/core/modules: settings are per tenant",
    "/api/v1/workflows/{workflow}/stages": "tests/core/workflows: stages are per tenant",
    "/api/v1/unsubscribe/{token}": "tests/core/communication: a public signed link (no "
    "login; the token names its tenant, a tampered one is 422)",
    "/api/v1/auth/sso/{tenant}/start": "tests/tenancy/test_sso.py: a public door named by "
    "the organization's slug (no login; it signs in to that organization only)",
    "/api/v1/auth/sso/{tenant}/callback": "tests/tenancy/test_sso.py: another organization's "
    "code, ID token (aud, iss) or state is refused",
    "/api/v1/survey-answers/{token}": "tests/core/surveys: a public signed link (no login; "
    "the token names its tenant and invitation, a tampered one is 422)",
    "/api/v1/track/click/{token}": "tests/core/communication/test_tracking.py: a public "
    "signed link (no login; the token names its tenant, message and link, a tampered one "
    "is 422)",
    "/api/v1/track/open/{token}": "tests/core/communication/test_tracking.py: a public "
    "signed pixel (no login; the token names its tenant and message, a tampered one is 422)",
}


@pytest.mark.parametrize("template", sorted(CROSS_TENANT_TARGETS))
def test_other_tenant_ids_answer_404(client, tenant, other_tenant, template):
    target = CROSS_TENANT_TARGETS[template]
    for module in target.modules:
        for t in (tenant, other_tenant):
            assert client.put(f"/api/v1/modules/{module}", headers=t.headers).status_code == 200
    params = target.make(client, tenant)
    path = re.sub(r"\{(\w+)\}", lambda m: params[m.group(1)], template)
    before = client.get(path, headers=tenant.headers) if "GET" in target.methods else None
    for method, body in target.methods.items():
        r = client.request(method, path, json=body, headers=other_tenant.headers)
        assert r.status_code == 404, (method, path, r.status_code, r.text)
    if before is not None:
        # The victim still sees the record, unchanged.
        after = client.get(path, headers=tenant.headers)
        assert after.status_code == 200 and after.json() == before.json()


def test_lists_never_include_other_tenants_rows(client, tenant, other_tenant):
    _contact(client, tenant, "OnlyInA")
    _contact(client, other_tenant, "OnlyInB")
    a = client.get("/api/v1/contacts", headers=tenant.headers).json()["items"]
    b = client.get("/api/v1/contacts", headers=other_tenant.headers).json()["items"]
    assert {c["given_name"] for c in a} == {"OnlyInA"}
    assert {c["given_name"] for c in b} == {"OnlyInB"}
    members_b = client.get("/api/v1/members", headers=other_tenant.headers).json()["items"]
    assert {m["email"] for m in members_b} == {other_tenant.owner_email}


def test_tenant_id_in_a_body_is_never_honoured(client, database, tenant, other_tenant):
    """A body naming another tenant is refused as an unknown field (bodies accept only the
    fields their schema lists), and nothing lands in either tenant."""
    r = client.post(
        "/api/v1/contacts",
        json={"given_name": "Smuggled", "tenant_id": other_tenant.id},
        headers=tenant.headers,
    )
    assert r.status_code == 422 and "tenant_id" in r.text
    with database.connect_superuser() as conn:
        smuggled = conn.execute(
            "SELECT count(*) FROM contacts WHERE given_name = 'Smuggled' AND tenant_id IN (%s, %s)",
            (tenant.id, other_tenant.id),
        ).fetchone()[0]
    assert smuggled == 0
    assert client.get("/api/v1/contacts", headers=other_tenant.headers).json()["items"] == []


def test_every_id_endpoint_joins_the_attack(client):
    spec = client.get("/schema/openapi.json").json()
    with_ids = {
        re.sub(r"\{(\w+)\}", r"{\1}", path)
        for path in spec["paths"]
        if "{" in path and path.startswith("/api/v1/")
    }
    # A target may carry a query (an export attacked in a format it can compare).
    targeted = {target.split("?", 1)[0] for target in CROSS_TENANT_TARGETS}
    missing = sorted(p for p in with_ids if p not in targeted and p not in NOT_RECORD_PATHS)
    assert missing == [], f"add these endpoints to CROSS_TENANT_TARGETS: {missing}"
