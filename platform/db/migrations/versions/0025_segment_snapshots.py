"""Static segments: a snapshot of a segment's members and its date.

Revision ID: 0025_segment_snapshots
Revises: 0024_segments

- ``segments.kind`` (``dynamic`` | ``static``) and ``segments.snapshot_at``;
- ``segment_members (tenant_id, segment_id, contact_id)``: the snapshot's contacts, gone
  with their segment or contact; tenant RLS like every tenant table. Its primary key leads
  with the segment (a page of members); the contact index serves deletes of contacts.

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from rapport.db.migration_helpers import disable_tenant_rls, enable_tenant_rls

revision = "0025_segment_snapshots"
down_revision = "0024_segments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("segments", sa.Column("kind", sa.String(10), nullable=False,
                                        server_default="dynamic"))
    op.add_column("segments", sa.Column("snapshot_at", sa.DateTime(timezone=True)))
    op.create_check_constraint("kind", "segments", "kind IN ('dynamic', 'static')")
    op.create_table(
        "segment_members",
        sa.Column("tenant_id", UUID(as_uuid=True),
                  sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("segment_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("contact_id", UUID(as_uuid=True), primary_key=True),
        sa.ForeignKeyConstraint(["tenant_id", "segment_id"],
                                ["segments.tenant_id", "segments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id", "contact_id"],
                                ["contacts.tenant_id", "contacts.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_segment_members_tenant_id_contact_id", "segment_members",
                    ["tenant_id", "contact_id"])
    enable_tenant_rls("segment_members")


def downgrade() -> None:
    disable_tenant_rls("segment_members")
    op.drop_table("segment_members")
    op.drop_constraint("ck_segments_kind", "segments")
    op.drop_column("segments", "snapshot_at")
    op.drop_column("segments", "kind")
