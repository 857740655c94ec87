"""Priced lines carry the product's category (optional), for "bought in a category".

Revision ID: 0031_line_categories
Revises: 0030_analytics_schedule

- ``transaction_lines.category`` and ``deal_lines.category``: nullable text (lines recorded
  before stay without one);
- ``ix_transaction_lines_tenant_id_category``: the segments' ``purchases.category``
  condition probes it (partial: lines without a category are not indexed).

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op

revision = "0031_line_categories"
down_revision = "0030_analytics_schedule"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("transaction_lines", "deal_lines"):
        op.add_column(table, sa.Column("category", sa.String(200)))
    op.create_index("ix_transaction_lines_tenant_id_category", "transaction_lines",
                    ["tenant_id", "category", "transaction_id"],
                    postgresql_where=sa.text("category IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_transaction_lines_tenant_id_category", table_name="transaction_lines")
    for table in ("transaction_lines", "deal_lines"):
        op.drop_column(table, "category")
