"""Workflow engine: instances, transition history, per-tenant stage overrides.

Revision ID: 0003_workflows
Revises: 0001_kernel
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from rapport.db.migration_helpers import enable_tenant_rls, tenant_key_columns

revision = "0003_workflows"
down_revision = "0001_kernel"
branch_labels = None
depends_on = None

TABLES = ("workflow_instances", "workflow_transitions", "workflow_stages")


def upgrade() -> None:
    op.create_table(
        "workflow_instances",
        *tenant_key_columns(),
        sa.Column("workflow", sa.String(100), nullable=False),
        sa.Column("record_type", sa.String(100), nullable=False),
        sa.Column("record_id", UUID(as_uuid=True), nullable=False),
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.UniqueConstraint("tenant_id", "workflow", "record_id"),
    )
    op.create_table(
        "workflow_transitions",
        *tenant_key_columns(),
        sa.Column("instance_id", UUID(as_uuid=True), nullable=False),
        sa.Column("transition", sa.String(64)),
        sa.Column("from_state", sa.String(64)),
        sa.Column("to_state", sa.String(64), nullable=False),
        sa.Column("actor_id", UUID(as_uuid=True)),
        sa.Column("note", sa.Text),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.clock_timestamp(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "instance_id"],
            ["workflow_instances.tenant_id", "workflow_instances.id"],
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_workflow_transitions_tenant_id_instance_id",
        "workflow_transitions",
        ["tenant_id", "instance_id"],
    )
    op.create_table(
        "workflow_stages",
        *tenant_key_columns(),
        sa.Column("workflow", sa.String(100), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer),
        sa.Column("terminal", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.UniqueConstraint("tenant_id", "workflow", "key"),
    )
    for table in TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
