"""Contact imports: one row per import run, with its checkpoint and its first errors.

Revision ID: 0011_imports
Revises: 0006_contacts_profile

A sibling head of the other areas' migrations (they are joined by a later merge revision).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from rapport.db.migration_helpers import enable_tenant_rls, tenant_key_columns

revision = "0011_imports"
down_revision = "0006_contacts_profile"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_imports",
        *tenant_key_columns(),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("key", sa.String(20), nullable=False),
        sa.Column("mapping", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("dry_run", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("skip_invalid", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("atomic", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("region", sa.String(2)),
        sa.Column("batch_size", sa.Integer, nullable=False),
        sa.Column("total_rows", sa.Integer, nullable=False, server_default="0"),
        sa.Column("processed_rows", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("duplicate_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("errors", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("failure", sa.Text),
        sa.Column("created_by", UUID(as_uuid=True)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(
            "status IN ('running', 'completed', 'failed', 'dry_run')", name="status"
        ),
        sa.CheckConstraint("key IN ('external_id', 'email')", name="key"),
    )
    op.create_index(
        "ix_contact_imports_tenant_id_sha256", "contact_imports", ["tenant_id", "sha256"]
    )
    enable_tenant_rls("contact_imports")


def downgrade() -> None:
    op.drop_table("contact_imports")
