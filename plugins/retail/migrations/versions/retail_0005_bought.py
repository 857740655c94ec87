"""Retail: what each member bought (per SKU), for personal offers.

Revision ID: retail_0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from rapport.sdk import enable_tenant_rls, tenant_key_columns

revision = "retail_0005"
down_revision = "retail_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retail_bought", *tenant_key_columns(),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("member_id", UUID(as_uuid=True), nullable=False),
        sa.Column("sku", sa.String(200), nullable=False),
        sa.Column("times", sa.Integer, nullable=False, server_default="1"),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "member_id"],
                                ["retail_members.tenant_id", "retail_members.id"],
                                ondelete="CASCADE", name="fk_retail_bought_member_id"),
        sa.UniqueConstraint("tenant_id", "member_id", "sku", name="uq_retail_bought_sku"),
    )
    enable_tenant_rls("retail_bought")


def downgrade() -> None:
    op.drop_table("retail_bought")
