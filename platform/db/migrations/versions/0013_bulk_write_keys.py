"""Drop the plain ``tenant_id → tenants`` foreign keys of the contact's child tables.

Revision ID: 0013_bulk_write_keys
Revises: 0012_join_links

``contact_emails``, ``contact_phones``, ``contact_tags`` and ``contact_facts`` each carry a
composite key ``(tenant_id, contact_id) → contacts``, which already implies the tenant
(``contacts`` keeps its own ``tenant_id → tenants`` key). The plain key cost one more
referential check per inserted row — about a tenth of a bulk import's writes — and
guarded nothing the composite one does not. Deleting a tenant still removes these rows:
tenants → contacts → child rows, every step ``ON DELETE CASCADE``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_bulk_write_keys"
down_revision = "0012_join_links"
branch_labels = None
depends_on = None

CHILD_TABLES = ("contact_emails", "contact_phones", "contact_tags", "contact_facts")

# The single-column foreign keys from a table's tenant_id to tenants.
_PLAIN_TENANT_KEYS = sa.text("""
    SELECT con.conname
    FROM pg_constraint con
    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
    WHERE con.contype = 'f' AND con.conrelid = CAST(:table AS regclass)
      AND con.confrelid = 'tenants'::regclass
      AND cardinality(con.conkey) = 1 AND a.attname = 'tenant_id'
""")


def upgrade() -> None:
    bind = op.get_bind()
    for table in CHILD_TABLES:
        names = bind.execute(_PLAIN_TENANT_KEYS, {"table": table}).scalars().all()
        for name in names:
            # Names come from the catalogue of the tables listed above, never input.
            op.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')


def downgrade() -> None:
    for table in CHILD_TABLES:
        op.create_foreign_key(
            f"fk_{table}_tenant_id_tenants", table, "tenants", ["tenant_id"], ["id"],
            ondelete="CASCADE",
        )
