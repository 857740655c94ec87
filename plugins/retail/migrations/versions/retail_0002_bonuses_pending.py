"""Retail: sign-up and referral bonuses, and points held as pending for a return window.

Revision ID: retail_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "retail_0002"
down_revision = "retail_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("retail_programs", sa.Column("signup_bonus", sa.Integer, nullable=False,
                                               server_default="0"))
    op.add_column("retail_programs", sa.Column("referral_bonus", sa.Integer, nullable=False,
                                               server_default="0"))
    op.add_column("retail_programs", sa.Column("pending_days", sa.Integer, nullable=False,
                                               server_default="0"))
    op.add_column("retail_members", sa.Column("pending", sa.BigInteger, nullable=False,
                                              server_default="0"))
    op.add_column("retail_ledger", sa.Column("available_at", sa.DateTime(timezone=True)))
    op.create_index("ix_retail_ledger_pending", "retail_ledger",
                    ["tenant_id", "member_id", "available_at"],
                    postgresql_where=sa.text("available_at IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_retail_ledger_pending", table_name="retail_ledger")
    op.drop_column("retail_ledger", "available_at")
    op.drop_column("retail_members", "pending")
    for column in ("pending_days", "referral_bonus", "signup_bonus"):
        op.drop_column("retail_programs", column)
