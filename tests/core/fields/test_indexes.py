"""Indexed fields: their values are entered into the ``field_values`` index, which the list
endpoint's own SQL uses as the app role under forced RLS, and which stays in step with
every write."""

from __future__ import annotations

import json
import secrets
import uuid
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import event
from uuid_utils.compat import uuid7

from rapport.core.fields.definitions import FieldDefinition, FieldType
from rapport.core.fields.indexes import index_plugin_fields
from rapport.db.session import make_engine, make_sessionmaker, tenant_session
from tests.conftest import sign_up
from tests.core.fields.conftest import create_contact, create_field, enable_plugin_fields

ROWS = 50_000
RARE = 10


def explain(database, tenant_id: str, sql: str, params, *, seqscan: bool = True) -> str:
    """EXPLAIN as the app role in the tenant's context, like a request transaction."""
    with database.connect_app() as conn:
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant_id,))
        if not seqscan:
            conn.execute("SET LOCAL enable_seqscan = off")
        plan = conn.execute("EXPLAIN " + sql, params).fetchall()
        conn.rollback()
    return "\n".join(r[0] for r in plan)


def index_entries(database, tenant_id: str, full_key: str) -> int:
    with database.connect_superuser() as conn:
        return conn.execute(
            "SELECT count(*) FROM field_values WHERE tenant_id = %s AND full_key = %s",
            (tenant_id, full_key),
        ).fetchone()[0]


@contextmanager
def captured_sql(client):
    """Every statement the app sends to PostgreSQL, with its parameters."""
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    engine = client.app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def bulk_insert(database, tenant_id: str, full_key: str) -> None:
    """50k contacts: COPY into a temp table, then one INSERT … SELECT into contacts.

    COPY FROM cannot write a table under row-level security, and forced RLS binds the
    owner too, so the rows pass through a temp table and an INSERT in the tenant's context.
    """
    with database.connect_owner() as conn, conn.transaction():
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant_id,))
        conn.execute(
            "CREATE TEMP TABLE bulk (id uuid, given_name text, fields jsonb) ON COMMIT DROP"
        )
        with conn.cursor().copy("COPY bulk (id, given_name, fields) FROM STDIN") as copy:
            for i in range(ROWS):
                size = 60 if i < RARE else 30 + i % 20
                copy.write_row((uuid7(), f"P{i}", json.dumps({full_key: size})))
        conn.execute(
            "INSERT INTO contacts (tenant_id, id, given_name, fields) "
            "SELECT %s, id, given_name, fields FROM bulk",
            (tenant_id,),
        )


def test_indexed_filter_over_50k_rows_uses_the_index(client, database):
    tenant = sign_up(client)
    size = f"shoe_size_{secrets.token_hex(3)}"
    full_key = f"custom.{size}"
    create_field(client, tenant, key=size, type="integer")
    bulk_insert(database, tenant.id, full_key)
    assert index_entries(database, tenant.id, full_key) == 0  # not indexed yet
    r = client.patch(f"/api/v1/fields/{size}", json={"indexed": True}, headers=tenant.headers)
    assert r.status_code == 200 and r.json()["indexed"] is True
    assert index_entries(database, tenant.id, full_key) == ROWS
    with database.connect_owner() as conn:
        conn.execute("ANALYZE contacts")
        conn.execute("ANALYZE field_values")

    with captured_sql(client) as seen:
        r = client.get(f"/api/v1/contacts?filter={full_key}:gte:55", headers=tenant.headers)
    assert r.status_code == 200 and len(r.json()["items"]) == RARE
    [(sql, params)] = [(s, p) for s, p in seen if "field_values" in s]

    plan = explain(database, tenant.id, sql, params)
    assert "ix_field_values_number" in plan, plan
    assert "Index Scan" in plan or "Bitmap Index Scan" in plan, plan
    assert "Seq Scan" not in plan, plan


INDEXABLE = {
    # type: (extra definition, SQL for row g's value, filter matching row 1 only, index)
    "text": ({}, "to_jsonb('nick' || g)", "eq:nick1", "text"),
    "integer": ({}, "to_jsonb(g)", "lt:2", "number"),
    "decimal": ({}, "to_jsonb((g / 100.0)::text)", "eq:0.01", "number"),
    "money": ({}, "jsonb_build_object('amount', g || '.00', 'currency', 'EUR')", "lte:1", "number"),
    "boolean": ({}, "to_jsonb(g = 1)", "eq:true", "bool"),
    "date": ({}, "to_jsonb((date '2000-01-01' + g)::text)", "eq:2000-01-02", "date"),
    "datetime": (
        {},
        "to_jsonb(to_char(timestamp '2000-01-01' + g * interval '1 hour',"
        " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
        "lt:2000-01-01T02:00:00Z",
        "time",
    ),
    "enum": (
        {"options": ["rare", "common"]},
        "to_jsonb(CASE WHEN g = 1 THEN 'rare' ELSE 'common' END)",
        "in:rare",
        "text",
    ),
    "multi_enum": (
        {"options": ["rare", "common"]},
        "jsonb_build_array(CASE WHEN g = 1 THEN 'rare' ELSE 'common' END)",
        "contains:rare",
        "text",
    ),
    "email": ({}, "to_jsonb('p' || g || '@example.com')", "eq:p1@example.com", "text"),
    "phone": ({}, "to_jsonb('+1650253' || lpad(g::text, 4, '0'))", "eq:+16502530001", "text"),
    "url": ({}, "to_jsonb('https://example.com/' || g)", "eq:https://example.com/1", "text"),
    "reference": (
        {},
        "jsonb_build_object('type', 'contact', 'id', CASE WHEN g = 1 THEN"
        " '0190a0a0-0000-7000-8000-000000000001'::uuid ELSE gen_random_uuid() END)",
        "eq:0190a0a0-0000-7000-8000-000000000001",
        "ref",
    ),
}


@pytest.mark.parametrize("field_type", list(INDEXABLE))
def test_every_indexable_type_filters_through_the_index(client, database, field_type):
    extra, value_sql, condition, index = INDEXABLE[field_type]
    tenant = sign_up(client)
    name = f"{field_type}_{secrets.token_hex(3)}"
    full_key = f"custom.{name}"
    create_field(client, tenant, key=name, type=field_type, indexed=True, **extra)
    # Written behind the API's back: the trigger still enters them into the index.
    with database.connect_owner() as conn, conn.transaction():
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant.id,))
        conn.execute(
            "INSERT INTO contacts (tenant_id, id, given_name, fields) "
            f"SELECT %s, gen_random_uuid(), 'P' || g, jsonb_build_object(%s::text, {value_sql}) "
            "FROM generate_series(1, 2000) g",
            (tenant.id, full_key),
        )
    with database.connect_owner() as conn:
        conn.execute("ANALYZE contacts")
        conn.execute("ANALYZE field_values")
    assert index_entries(database, tenant.id, full_key) == 2000
    with captured_sql(client) as seen:
        r = client.get(
            "/api/v1/contacts", params={"filter": f"{full_key}:{condition}"}, headers=tenant.headers
        )
    assert r.status_code == 200, r.text
    assert [c["given_name"] for c in r.json()["items"]] == ["P1"]
    [(sql, params)] = [(s, p) for s, p in seen if "field_values" in s]
    plan = explain(database, tenant.id, sql, params, seqscan=False)
    assert f"ix_field_values_{index}" in plan, plan


def test_index_follows_every_write_and_unindexing(client, database, tenant):
    name = f"tier_{secrets.token_hex(3)}"
    full_key = f"custom.{name}"
    h = tenant.headers
    create_field(client, tenant, key=name, type="enum", options=["gold", "silver"], indexed=True)

    def found(value):
        r = client.get(f"/api/v1/contacts?filter={full_key}:eq:{value}", headers=h)
        return [c["given_name"] for c in r.json()["items"]]

    c = create_contact(client, tenant, given_name="Ines", fields={full_key: "gold"})
    assert found("gold") == ["Ines"] and index_entries(database, tenant.id, full_key) == 1
    client.patch(f"/api/v1/contacts/{c['id']}", json={"fields": {full_key: "silver"}}, headers=h)
    assert found("gold") == [] and found("silver") == ["Ines"]
    client.patch(f"/api/v1/fields/{name}", json={"indexed": False}, headers=h)
    assert index_entries(database, tenant.id, full_key) == 0
    assert found("silver") == ["Ines"]  # still filterable, just without the index
    client.patch(f"/api/v1/fields/{name}", json={"indexed": True}, headers=h)
    assert index_entries(database, tenant.id, full_key) == 1 and found("silver") == ["Ines"]
    assert client.delete(f"/api/v1/contacts/{c['id']}", headers=h).status_code == 204
    # In the trash: filtered out, its entry kept for a restore; purging removes it.
    assert found("silver") == []
    assert client.delete(f"/api/v1/trash/contacts/{c['id']}", headers=h).status_code == 204
    assert index_entries(database, tenant.id, full_key) == 0


def test_same_key_in_two_tenants_never_mixes_index_entries(client, database):
    ours, theirs = sign_up(client), sign_up(client)
    name = f"since_{secrets.token_hex(3)}"
    full_key = f"custom.{name}"
    create_field(client, theirs, key=name, type="text", indexed=True)
    create_field(client, ours, key=name, type="date", indexed=True)
    for value in ("2024-01-31", "2024-13-45", "someday"):
        create_contact(client, theirs, given_name=value, fields={full_key: value})
    create_contact(client, ours, given_name="Dated", fields={full_key: "2024-01-31"})
    r = client.get(f"/api/v1/contacts?filter={full_key}:lte:2024-12-31", headers=ours.headers)
    assert [c["given_name"] for c in r.json()["items"]] == ["Dated"]
    r = client.get(f"/api/v1/contacts?filter={full_key}:eq:2024-01-31", headers=theirs.headers)
    assert [c["given_name"] for c in r.json()["items"]] == ["2024-01-31"]
    # At the SQL level too: the app role sees only its tenant's entries.
    with database.connect_app() as conn:
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (ours.id,))
        rows = conn.execute(
            "SELECT tenant_id::text FROM field_values WHERE full_key = %s", (full_key,)
        ).fetchall()
    assert rows == [(ours.id,)]


async def _enable(database, tenant_id: str, definitions) -> None:
    engine = make_engine(database.app_url)
    try:
        async with tenant_session(make_sessionmaker(engine), uuid.UUID(tenant_id)) as session:
            await index_plugin_fields(session, uuid.UUID(tenant_id), definitions)
    finally:
        await engine.dispose()


def test_indexed_plugin_fields_are_indexed_when_enabled_and_tolerate_junk(client, database):
    import asyncio

    tenant = sign_up(client)
    key = f"height_{secrets.token_hex(3)}"
    height = FieldDefinition("medical", key, "contact", FieldType.INTEGER, "Height", indexed=True)
    enable_plugin_fields(tenant, height)
    create_contact(client, tenant, given_name="Before", fields={height.full_key: 180})
    assert index_entries(database, tenant.id, height.full_key) == 0
    asyncio.run(_enable(database, tenant.id, [height]))  # what the plugin manager calls
    assert index_entries(database, tenant.id, height.full_key) == 1
    create_contact(client, tenant, given_name="After", fields={height.full_key: 150})
    # A raw write of a value the type would refuse: the safe casts skip it, nothing fails.
    with database.connect_owner() as conn, conn.transaction():
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant.id,))
        conn.execute(
            "INSERT INTO contacts (tenant_id, id, given_name, fields) "
            "VALUES (%s, gen_random_uuid(), 'Junk', jsonb_build_object(%s::text, 'tall'))",
            (tenant.id, height.full_key),
        )
    assert index_entries(database, tenant.id, height.full_key) == 2
    r = client.get(
        f"/api/v1/contacts?filter={height.full_key}:gt:160&sort={height.full_key}",
        headers=tenant.headers,
    )
    assert [c["given_name"] for c in r.json()["items"]] == ["Before"]


def test_the_app_role_cannot_extend_the_entity_allow_list(database):
    with database.connect_app() as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("INSERT INTO field_entities (entity, table_name) VALUES ('m', 'memberships')")
