"""The look-ups an import repeats per row or per run use tenant-led indexes under forced
RLS (EXPLAIN as the application role)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from uuid_utils.compat import uuid7

from rapport.core.imports.checks import target
from rapport.core.imports.columns import Key
from rapport.core.imports.models import ContactImport
from tests.core.contacts.support import compiled, explain


def _row_lookup(key: Key) -> str:
    fragment = target(key).replace(":tenant", "%(tenant)s")
    return f"SELECT {fragment} FROM (SELECT %(key)s::text AS key) r"


def _many_contacts(database, tenant_id: str, count: int) -> None:
    """A tenant of ``count`` contacts with external ids and addresses, analysed: the plan
    a large tenant gets, not the one an empty table gets."""
    ids = [uuid7() for _ in range(count)]
    with database.connect_superuser() as conn:
        with conn.cursor() as cur, cur.copy(
            "COPY contacts (tenant_id, id, given_name, external_id) FROM STDIN"
        ) as copy:
            for i, contact_id in enumerate(ids):
                copy.write_row((tenant_id, contact_id, f"P{i}", f"crm-{i}"))
        with conn.cursor() as cur, cur.copy(
            "COPY contact_emails (tenant_id, id, contact_id, address, address_key, is_primary) "
            "FROM STDIN"
        ) as copy:
            for i, contact_id in enumerate(ids):
                copy.write_row((tenant_id, uuid7(), contact_id, f"p{i}@x.example",
                                f"p{i}@x.example", True))
        conn.execute("ANALYZE contacts")
        conn.execute("ANALYZE contact_emails")


def test_matching_a_row_to_its_contact_is_one_index_probe(database, tenant):
    _many_contacts(database, tenant.id, 20_000)
    params = {"tenant": tenant.id, "key": "crm-1"}
    plan = explain(database, tenant.id, _row_lookup("external_id"), params)
    assert "uq_contacts_tenant_id_external_id" in plan, plan
    plan = explain(database, tenant.id, _row_lookup("email"), params)
    assert "uq_contact_emails_tenant_id_address_key" in plan, plan


def test_finding_an_unfinished_import_uses_the_file_hash_index(database, tenant):
    statement = select(ContactImport.id).where(
        ContactImport.tenant_id == uuid.UUID(tenant.id), ContactImport.sha256 == "0" * 64
    )
    plan = explain(database, tenant.id, *compiled(statement))
    assert "ix_contact_imports_tenant_id_sha256" in plan, plan
