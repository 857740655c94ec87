"""Retail: returns by line — which SKUs, and how many, each return brought back, so the
returns of a purchase's lines can never add up to more than it sold.

Revision ID: retail_0015
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from rapport.sdk import enable_tenant_rls, tenant_key_columns

revision = "retail_0015"
down_revision = "retail_0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retail_returned_lines", *tenant_key_columns(),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("member_id", UUID(as_uuid=True), nullable=False),
        sa.Column("transaction_id", UUID(as_uuid=True), nullable=False),
        sa.Column("return_id", sa.String(200), nullable=False),
        sa.Column("product", sa.String(200), nullable=False),
        sa.Column("quantity", sa.Numeric(14, 4), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "member_id"],
                                ["retail_members.tenant_id", "retail_members.id"],
                                ondelete="CASCADE", name="fk_retail_returned_lines_member_id"),
        sa.CheckConstraint("quantity > 0", name="ck_retail_returned_lines_quantity"),
    )
    op.create_index("ix_retail_returned_lines_transaction_id", "retail_returned_lines",
                    ["tenant_id", "transaction_id", "product"])
    enable_tenant_rls("retail_returned_lines")


def downgrade() -> None:
    op.drop_table("retail_returned_lines")
