"""Stamp cards.

Revision ID: stamps_0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from rapport.sdk import enable_tenant_rls

revision = "stamps_0001"
down_revision = None
branch_labels = ("stamps",)
depends_on = "0001_kernel"


def upgrade() -> None:
    op.create_table(
        "stamps_cards",
        sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("stamps", sa.Integer, nullable=False, server_default="0"),
        sa.Column("state", sa.String(20), nullable=False, server_default="active"),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "contact_id"],
            ["contacts.tenant_id", "contacts.id"],
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_stamps_cards_tenant_id_contact_id", "stamps_cards",
                    ["tenant_id", "contact_id"])
    enable_tenant_rls("stamps_cards")


def downgrade() -> None:
    op.drop_table("stamps_cards")
