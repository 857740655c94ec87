"""The database enforces grants: run as the application role, with nothing but SQL.

Clinic A owns patients; partner B receives grants; stranger C receives none.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import psycopg
import pytest

from rapport.db.rls import POLICY, SHARED_POLICY, SharedRows, tenant_rls_statements
from tests.conftest import Database, unique
from tests.core.sharing.support import NOTES, PATIENTS, add_patient, as_tenant


@dataclass(frozen=True)
class World:
    a: uuid.UUID
    b: uuid.UUID
    c: uuid.UUID
    p1: uuid.UUID
    p2: uuid.UUID
    pb: uuid.UUID


def _tenant(conn: psycopg.Connection) -> uuid.UUID:
    tenant_id = uuid.uuid4()
    slug = unique("sql")
    conn.execute(
        "INSERT INTO tenants (id, slug, name) VALUES (%s, %s, %s)", (tenant_id, slug, slug)
    )
    return tenant_id


@pytest.fixture
def world(database: Database, shared_schema: None) -> World:
    with database.connect_app() as conn:
        a, b, c = _tenant(conn), _tenant(conn), _tenant(conn)
    return World(
        a,
        b,
        c,
        add_patient(database, a, "P1", ["p1 allergy", "p1 visit"]),
        add_patient(database, a, "P2", ["p2 visit"]),
        add_patient(database, b, "PB", ["pb visit"]),
    )


def grant(
    database: Database,
    owner: uuid.UUID,
    grantee: uuid.UUID,
    record_id: uuid.UUID,
    sections: list[str],
    *,
    record_type: str = "test.patient",
    starts: str = "now()",
    lasts: str = "1 hour",
) -> uuid.UUID:
    """A grant written by the app role in the owner's context, as the service does."""
    grant_id = uuid.uuid4()
    with database.connect_app() as conn:
        as_tenant(conn, owner)
        conn.execute(
            "INSERT INTO sharing_grants (tenant_id, id, grantee_tenant_id, record_type,"
            " record_id, sections, purpose, starts_at, expires_at)"
            f" VALUES (%s, %s, %s, %s, %s, %s, 'care', {starts}, {starts} + %s::interval)",
            (owner, grant_id, grantee, record_type, record_id, sections, lasts),
        )
    return grant_id


def revoke(database: Database, owner: uuid.UUID, grant_id: uuid.UUID) -> None:
    with database.connect_app() as conn:
        as_tenant(conn, owner)
        cur = conn.execute(
            "UPDATE sharing_grants SET revoked_at = now() WHERE tenant_id = %s AND id = %s",
            (owner, grant_id),
        )
        assert cur.rowcount == 1


def changed(conn: psycopg.Connection, statement: str, *params: object) -> int:
    """How many rows an UPDATE or DELETE touched."""
    return conn.execute(statement, params).rowcount


def grants_seen(conn: psycopg.Connection, grant_id: uuid.UUID) -> int:
    return conn.execute(
        "SELECT count(*) FROM sharing_grants WHERE id = %s", (grant_id,)
    ).fetchone()[0]


def seen(conn: psycopg.Connection, table: str, owner: uuid.UUID) -> set[str]:
    column = "name" if table == PATIENTS else "body"
    rows = conn.execute(f"SELECT {column} FROM {table} WHERE tenant_id = %s", (owner,))
    return {r[0] for r in rows}


def test_grantee_sees_exactly_the_granted_record_and_section(database, world):
    grant(database, world.a, world.b, world.p1, ["notes"])
    with database.connect_app() as conn:
        as_tenant(conn, world.b)
        assert seen(conn, NOTES, world.a) == {"p1 allergy", "p1 visit"}
        # Demographics were not granted; P2 was not granted at all.
        assert seen(conn, PATIENTS, world.a) == set()
        # Without the explicit filter too: own rows plus the granted ones, nothing else.
        assert {r[0] for r in conn.execute(f"SELECT body FROM {NOTES}")} == {
            "pb visit",
            "p1 allergy",
            "p1 visit",
        }
        as_tenant(conn, world.c)
        assert seen(conn, NOTES, world.a) == set()


def test_a_demographics_grant_admits_the_patient_row_but_no_notes(database, world):
    grant(database, world.a, world.b, world.p1, ["demographics"])
    with database.connect_app() as conn:
        as_tenant(conn, world.b)
        assert seen(conn, PATIENTS, world.a) == {"P1"}
        assert seen(conn, NOTES, world.a) == set()


def test_grants_that_do_not_match_admit_nothing(database, world):
    # Another record type with the same id, and a "grant" by a tenant that does not own P1.
    grant(database, world.a, world.b, world.p1, ["notes"], record_type="test.other")
    grant(database, world.c, world.b, world.p1, ["notes", "demographics"])
    with database.connect_app() as conn:
        as_tenant(conn, world.b)
        assert seen(conn, NOTES, world.a) == set()
        assert seen(conn, PATIENTS, world.a) == set()


def test_revocation_takes_effect_on_the_very_next_query(database, world):
    grant_id = grant(database, world.a, world.b, world.p1, ["notes"])
    with database.connect_app() as conn:
        as_tenant(conn, world.b)
        assert seen(conn, NOTES, world.a) == {"p1 allergy", "p1 visit"}
        revoke(database, world.a, grant_id)
        # Same open transaction: each statement reads committed grants afresh.
        assert seen(conn, NOTES, world.a) == set()


def test_expired_and_not_yet_started_grants_admit_nothing(database, world):
    grant(database, world.a, world.b, world.p2, ["notes"], starts="now() + interval '1 hour'")
    grant(database, world.a, world.b, world.p1, ["notes"], starts="clock_timestamp()", lasts="1 s")
    started = time.monotonic()
    with database.connect_app() as conn:
        as_tenant(conn, world.b)
        assert seen(conn, NOTES, world.a) == {"p1 allergy", "p1 visit"}
        conn.commit()
        time.sleep(max(0.0, 1.1 - (time.monotonic() - started)))
        as_tenant(conn, world.b)
        assert seen(conn, NOTES, world.a) == set()


def test_grantee_can_never_write_shared_rows(database, world):
    grant(database, world.a, world.b, world.p1, ["notes", "demographics"])
    with database.connect_app() as conn:
        as_tenant(conn, world.b)
        assert (
            changed(conn, f"UPDATE {NOTES} SET body = 'forged' WHERE tenant_id = %s", world.a) == 0
        )
        assert changed(conn, f"DELETE FROM {NOTES} WHERE tenant_id = %s", world.a) == 0
        assert changed(conn, f"DELETE FROM {PATIENTS} WHERE id = %s", world.p1) == 0
        # Nor lock them (SELECT … FOR UPDATE consults the UPDATE policy).
        locked = conn.execute(f"SELECT 1 FROM {NOTES} WHERE tenant_id = %s FOR UPDATE", (world.a,))
        assert locked.fetchall() == []
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                f"INSERT INTO {NOTES} (tenant_id, id, patient_id, body) VALUES (%s, %s, %s, 'x')",
                (world.a, uuid.uuid4(), world.p1),
            )
    with database.connect_superuser() as conn:
        bodies = conn.execute(
            f"SELECT body FROM {NOTES} WHERE tenant_id = %s ORDER BY body", (world.a,)
        ).fetchall()
    assert [b[0] for b in bodies] == ["p1 allergy", "p1 visit", "p2 visit"]


def test_grants_are_visible_to_both_parties_and_only_the_grantor_revokes(database, world):
    grant_id = grant(database, world.a, world.b, world.p1, ["notes"])
    with database.connect_app() as conn:
        as_tenant(conn, world.b)
        assert grants_seen(conn, grant_id) == 1
        assert (
            changed(conn, "UPDATE sharing_grants SET revoked_at = now() WHERE id = %s", grant_id)
            == 0
        )
        # The grantee cannot mint a grant in the owner's name, nor the owner delete one.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO sharing_grants (tenant_id, id, grantee_tenant_id, record_type,"
                " record_id, sections, purpose, expires_at)"
                " VALUES (%s, %s, %s, 'test.patient', %s, '{notes}', 'x', now() + interval '1 h')",
                (world.a, uuid.uuid4(), world.b, world.p2),
            )
        conn.rollback()
        as_tenant(conn, world.c)
        assert grants_seen(conn, grant_id) == 0
        conn.rollback()
        as_tenant(conn, world.a)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM sharing_grants WHERE id = %s", (grant_id,))
        conn.rollback()
        as_tenant(conn, world.a)
        # Only the revocation columns are writable: a grant cannot be widened afterwards.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "UPDATE sharing_grants SET sections = '{notes,demographics}' WHERE id = %s",
                (grant_id,),
            )
    revoke(database, world.a, grant_id)
    with database.connect_app() as conn:
        as_tenant(conn, world.a)
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("UPDATE sharing_grants SET revoked_at = NULL WHERE id = %s", (grant_id,))


def test_policies_have_the_documented_shape(database, shared_schema):
    with database.connect_owner() as conn:
        rows = conn.execute(
            "SELECT tablename, policyname, cmd, roles FROM pg_policies"
            " WHERE tablename IN (%s, 'sharing_grants', 'audit_events')",
            (NOTES,),
        ).fetchall()
    by_table: dict[str, set[tuple[str, str]]] = {}
    for table, name, cmd, roles in rows:
        # The audit chain's sealer (owner role only) is not a door for the app.
        if table == "audit_events" and roles == ["rapport_owner"]:
            assert (name, cmd) == ("audit_seal", "UPDATE")
            continue
        by_table.setdefault(table, set()).add((name, cmd))
    assert by_table[NOTES] == {(POLICY, "ALL"), (SHARED_POLICY, "SELECT")}
    assert {cmd for _, cmd in by_table["sharing_grants"]} == {"SELECT", "INSERT", "UPDATE"}
    assert {cmd for _, cmd in by_table["audit_events"]} == {"SELECT", "INSERT"}


def test_unshared_tables_keep_the_single_tenant_policy():
    plain = tenant_rls_statements("things")
    assert plain[-1] == (
        'CREATE POLICY tenant_isolation ON "things" USING (tenant_id = rapport_current_tenant())'
        " WITH CHECK (tenant_id = rapport_current_tenant())"
    )
    assert not any("FOR SELECT" in s for s in plain)
    shared = tenant_rls_statements("notes", shared=SharedRows("med.patient", "patient_id", "notes"))
    assert shared[-1] == (
        'CREATE POLICY tenant_shared_read ON "notes" FOR SELECT USING ((rapport_granted('
        "tenant_id, 'med.patient', \"patient_id\", 'notes')))"
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"record_type": "med.patient'); DROP TABLE x; --"},
        {"record_type": "patient"},
        {"section": "Notes"},
        {"section": "a b"},
        {"record_id_column": ""},
    ],
)
def test_shared_rows_refuse_names_that_could_alter_the_policy(kwargs):
    base = {"record_type": "med.patient", "record_id_column": "patient_id", "section": "notes"}
    with pytest.raises(ValueError):
        SharedRows(**{**base, **kwargs})
