"""Per-tenant modules (enablement, settings) and the event outbox; joins the fields and
workflows heads.

Revision ID: 0004_modules
Revises: 0002_fields, 0003_workflows
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from rapport.db.migration_helpers import enable_tenant_rls, tenant_key_columns

revision = "0004_modules"
down_revision = ("0002_fields", "0003_workflows")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenant_modules",
        *tenant_key_columns(),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("settings", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("changed_by", UUID(as_uuid=True)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.UniqueConstraint("tenant_id", "name"),
    )
    enable_tenant_rls("tenant_modules")

    op.create_table(
        "event_outbox",
        *tenant_key_columns(),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("record_type", sa.String(80), nullable=False),
        sa.Column("record_id", UUID(as_uuid=True)),
        sa.Column("payload", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("actor_user_id", UUID(as_uuid=True)),
        sa.Column("dispatched_at", sa.DateTime(timezone=True)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.create_index(
        "ix_event_outbox_tenant_id_pending",
        "event_outbox",
        ["tenant_id", "id"],
        postgresql_where=sa.text("dispatched_at IS NULL"),
    )
    enable_tenant_rls("event_outbox")


def downgrade() -> None:
    op.drop_table("event_outbox")
    op.drop_table("tenant_modules")
