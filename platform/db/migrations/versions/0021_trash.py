"""The trash: contacts, deals and organizations are deleted into it (``deleted_at``,
``deleted_by``) and stay restorable until the worker purges them.

Revision ID: 0021_trash
Revises: 0020_tenant_config_version

The unique keys of contacts (email, external_id) and organizations (external_id) cover
live rows only, so a record re-created while its predecessor sits in the trash does not
collide; a trashed contact's addresses wait in ``contacts.trash_emails`` (their
``contact_emails`` rows are removed). ``rapport_trash_due_tenants`` tells the worker, which
has no tenant context, which tenants have records due for purging — never the records.

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0021_trash"
down_revision = "0020_tenant_config_version"
branch_labels = None
depends_on = None

TABLES = ("contacts", "deals", "organizations")
UNIQUE = (
    ("uq_contacts_tenant_id_email", "contacts", "email"),
    ("uq_contacts_tenant_id_external_id", "contacts", "external_id"),
    ("uq_organizations_tenant_id_external_id", "organizations", "external_id"),
)

DUE_TENANTS = """
CREATE FUNCTION rapport_trash_due_tenants(cutoff timestamptz, max_tenants integer)
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT tenant_id FROM (
        SELECT tenant_id FROM contacts WHERE deleted_at < cutoff
        UNION SELECT tenant_id FROM deals WHERE deleted_at < cutoff
        UNION SELECT tenant_id FROM organizations WHERE deleted_at < cutoff
    ) due
    LIMIT max_tenants
$$
"""


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("deleted_at", sa.DateTime(timezone=True)))
        op.add_column(table, sa.Column("deleted_by", UUID(as_uuid=True)))
        op.create_index(
            f"ix_{table}_tenant_id_deleted_at",
            table,
            ["tenant_id", "deleted_at"],
            postgresql_where=sa.text("deleted_at IS NOT NULL"),
        )
        op.execute(
            f"CREATE POLICY trash_due_scan ON {table} FOR SELECT TO rapport_owner"
            " USING (deleted_at IS NOT NULL)"
        )
    op.add_column("contacts", sa.Column("trash_emails", JSONB))
    for name, table, column in UNIQUE:
        op.drop_index(name, table_name=table)
        op.create_index(
            name,
            table,
            ["tenant_id", column],
            unique=True,
            postgresql_where=sa.text(f"{column} IS NOT NULL AND deleted_at IS NULL"),
        )
    op.execute(DUE_TENANTS)
    op.execute("REVOKE ALL ON FUNCTION rapport_trash_due_tenants(timestamptz, integer) FROM PUBLIC")
    op.execute(
        "GRANT EXECUTE ON FUNCTION rapport_trash_due_tenants(timestamptz, integer) TO rapport_app"
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION rapport_trash_due_tenants(timestamptz, integer)")
    for name, table, _column in UNIQUE:
        op.drop_index(name, table_name=table)
    for table in TABLES:
        op.execute(f"DELETE FROM {table} WHERE deleted_at IS NOT NULL")  # noqa: S608
    for name, table, column in UNIQUE:
        op.create_index(
            name,
            table,
            ["tenant_id", column],
            unique=True,
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
        )
    op.drop_column("contacts", "trash_emails")
    for table in TABLES:
        op.execute(f"DROP POLICY trash_due_scan ON {table}")
        op.drop_index(f"ix_{table}_tenant_id_deleted_at", table_name=table)
        op.drop_column(table, "deleted_by")
        op.drop_column(table, "deleted_at")
