"""``rapport_move_contact_rows`` (migration 0015): a merge moves a contact's rows checking
the survivor once. These tests hold it to the promises that make skipping the per-row
foreign-key triggers sound: it moves only contact references the caller may update, only
in the caller's tenant, only to a contact that exists there, and lets every trigger fire
on tables where the triggers would check more than the survivor."""

from __future__ import annotations

import psycopg
import pytest

from tests.conftest import Database, TenantHandle
from tests.core.contacts.support import make

MOVE = "SELECT rapport_move_contact_rows(%s::regclass, 'tenant_id', %s, %s, %s)"


def _as_app(database: Database, tenant_id: str | None, sql: str, params: tuple) -> int:
    with database.connect_app() as conn:
        if tenant_id is not None:
            conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant_id,))
        moved = conn.execute(sql, params).fetchone()
        conn.commit()
    assert moved is not None
    return int(moved[0])


def _log_calls(client, t: TenantHandle, contact_id: str, count: int) -> None:
    for _ in range(count):
        r = client.post("/api/v1/interactions", json={"contact_id": contact_id, "kind": "call"},
                        headers=t.headers)
        assert r.status_code == 201, r.text


def _owners(database: Database, table: str, ids: list[str]) -> dict[str, int]:
    with database.connect_superuser() as conn:
        rows = conn.execute(
            f"SELECT contact_id::text, count(*) FROM {table} "
            "WHERE contact_id = ANY(%s::uuid[]) GROUP BY 1", (ids,)
        ).fetchall()
    return {contact: n for contact, n in rows}


def test_the_function_skips_per_row_checks_where_it_may(database: Database) -> None:
    with database.connect_superuser() as conn:
        config = conn.execute(
            "SELECT proconfig FROM pg_proc WHERE proname = 'rapport_move_contact_rows'"
        ).fetchone()
    assert config is not None and "session_replication_role=replica" in config[0]


def test_moves_only_within_the_tenant_and_only_to_an_existing_contact(
    client, database: Database, tenant: TenantHandle, other_tenant: TenantHandle
) -> None:
    survivor = make(client, tenant, given_name="Survivor")["id"]
    other = make(client, tenant, given_name="Other")["id"]
    theirs = make(client, other_tenant, given_name="Theirs")["id"]
    _log_calls(client, tenant, other, 3)
    _log_calls(client, other_tenant, theirs, 2)

    # Another tenant's contact is not a survivor here, and nothing moves.
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        _as_app(database, tenant.id, MOVE, ("interactions", "contact_id", theirs, other))
    # Another tenant's rows are out of reach: RLS binds the function's owner too.
    assert _as_app(database, tenant.id, MOVE, ("interactions", "contact_id", survivor,
                                               theirs)) == 0
    assert _owners(database, "interactions", [theirs]) == {theirs: 2}

    assert _as_app(database, tenant.id, MOVE, ("interactions", "contact_id", survivor,
                                               other)) == 3
    assert _owners(database, "interactions", [survivor, other]) == {survivor: 3}
    # The moved rows answer through the API under the survivor.
    listed = client.get("/api/v1/interactions", params={"contact_id": survivor},
                        headers=tenant.headers).json()["items"]
    assert len(listed) == 3


def test_refuses_without_a_tenant_and_outside_contact_references(
    client, database: Database, tenant: TenantHandle
) -> None:
    survivor = make(client, tenant, given_name="Survivor")["id"]
    other = make(client, tenant, given_name="Other")["id"]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as_app(database, None, MOVE, ("interactions", "contact_id", survivor, other))
    # Columns that are not a (tenant, contact) → contacts reference: the audit log's
    # record ids, memberships' users. The app could not rewrite those itself.
    for table, column in (("audit_events", "record_id"), ("memberships", "user_id")):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _as_app(database, tenant.id, MOVE, (table, column, survivor, other))


def test_tables_with_their_own_triggers_get_every_trigger(
    client, database: Database, tenant: TenantHandle
) -> None:
    """A table whose trigger must see each row (here: one that counts moves) falls back to
    the ordinary update, so the trigger fires for every moved row."""
    with database.connect_owner() as conn:
        conn.execute(
            "CREATE TABLE test_moves_watched (tenant_id uuid NOT NULL, id uuid NOT NULL, "
            "contact_id uuid NOT NULL, seen integer NOT NULL DEFAULT 0, "
            "PRIMARY KEY (tenant_id, id), FOREIGN KEY (tenant_id, contact_id) "
            "REFERENCES contacts (tenant_id, id) ON DELETE CASCADE)"
        )
        conn.execute("ALTER TABLE test_moves_watched ENABLE ROW LEVEL SECURITY")
        conn.execute("ALTER TABLE test_moves_watched FORCE ROW LEVEL SECURITY")
        conn.execute(
            "CREATE POLICY tenant ON test_moves_watched "
            "USING (tenant_id = rapport_current_tenant())"
        )
        conn.execute("GRANT SELECT, INSERT, UPDATE ON test_moves_watched TO rapport_app")
        conn.execute(
            "CREATE FUNCTION test_moves_count() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN NEW.seen := OLD.seen + 1; RETURN NEW; END $$"
        )
        conn.execute(
            "CREATE TRIGGER counted BEFORE UPDATE ON test_moves_watched "
            "FOR EACH ROW EXECUTE FUNCTION test_moves_count()"
        )
        conn.commit()
    try:
        survivor = make(client, tenant, given_name="Survivor")["id"]
        other = make(client, tenant, given_name="Other")["id"]
        with database.connect_superuser() as conn:
            conn.execute(
                "INSERT INTO test_moves_watched (tenant_id, id, contact_id) "
                "SELECT %s, gen_random_uuid(), %s FROM generate_series(1, 4)",
                (tenant.id, other),
            )
        assert _as_app(database, tenant.id, MOVE, ("test_moves_watched", "contact_id",
                                                   survivor, other)) == 4
        with database.connect_superuser() as conn:
            seen = conn.execute(
                "SELECT array_agg(seen) FROM test_moves_watched WHERE contact_id = %s",
                (survivor,),
            ).fetchone()
        assert seen is not None and seen[0] == [1, 1, 1, 1]
    finally:
        with database.connect_owner() as conn:
            conn.execute("DROP TABLE test_moves_watched")
            conn.execute("DROP FUNCTION test_moves_count()")
            conn.commit()
