"""Migration 0013 dropped the plain ``tenant_id → tenants`` keys of the contact's child
tables: their composite key to ``contacts`` still refuses a row of another tenant's
contact, and deleting a tenant still removes every child row."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests.core.imports.support import contacts, csv_text, imported, superuser_count

CHILDREN = ("contact_emails", "contact_phones", "contact_tags", "contact_facts")


def test_child_rows_need_a_contact_of_their_own_tenant(client, database, tenant, other_tenant):
    imported(client, tenant, csv_text(["external_id", "given_name", "email"],
                                      ["a-1", "Ira", "ira@example.com"]))
    [ira] = contacts(client, tenant)
    with database.connect_superuser() as conn, pytest.raises(psycopg.errors.ForeignKeyViolation):
        conn.execute(
            "INSERT INTO contact_emails (tenant_id, id, contact_id, address, address_key) "
            "VALUES (%s, %s, %s, 'x@example.com', 'x@example.com')",
            (other_tenant.id, uuid.uuid4(), ira["id"]),
        )


def test_deleting_a_tenant_removes_its_contacts_child_rows(client, database, tenant):
    imported(client, tenant, csv_text(["external_id", "given_name", "email", "phones", "tags"],
                                      ["a-1", "Ira", "ira@example.com", "+380671234567", "vip"]))
    assert all(superuser_count(database, t, tenant.id) for t in CHILDREN)
    with database.connect_superuser() as conn:
        conn.execute("DELETE FROM tenants WHERE id = %s", (tenant.id,))
    assert [superuser_count(database, t, tenant.id) for t in CHILDREN] == [0, 0, 0, 0]
