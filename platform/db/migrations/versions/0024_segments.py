"""Segments: saved, named definitions over contacts (dynamic: evaluated on read).

Revision ID: 0024_segments
Revises: 0023_deal_pipelines_fields

- ``segments``: name, description, the definition (JSONB, checked by the application's
  compiler when written), who created it; tenant RLS like every tenant table.

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from rapport.db.migration_helpers import (
    disable_tenant_rls,
    enable_tenant_rls,
    tenant_key_columns,
)

revision = "0024_segments"
down_revision = "0023_deal_pipelines_fields"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "segments",
        *tenant_key_columns(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("definition", JSONB, nullable=False),
        sa.Column("created_by", UUID(as_uuid=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
    )
    enable_tenant_rls("segments")


def downgrade() -> None:
    disable_tenant_rls("segments")
    op.drop_table("segments")
