"""Retail: daily earn and redeem caps per member.

Revision ID: retail_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "retail_0003"
down_revision = "retail_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("retail_programs", sa.Column("daily_earn_cap", sa.Integer))
    op.add_column("retail_programs", sa.Column("daily_redeem_cap", sa.Integer))


def downgrade() -> None:
    op.drop_column("retail_programs", "daily_redeem_cap")
    op.drop_column("retail_programs", "daily_earn_cap")
