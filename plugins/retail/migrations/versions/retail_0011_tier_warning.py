"""Retail: the warning before a downgrade — how many days before the period's end the
worker tells members below their tier's threshold how many points keep it
(``retail.tier_warning``), once a period.

Revision ID: retail_0011
"""

import sqlalchemy as sa
from alembic import op

revision = "retail_0011"
down_revision = "retail_0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("retail_programs", sa.Column("tier_warning_days", sa.Integer,
                                               nullable=False, server_default="30"))
    op.create_check_constraint("ck_retail_programs_tier_warning_days", "retail_programs",
                               "tier_warning_days BETWEEN 0 AND 365")
    op.add_column("retail_members", sa.Column("tier_warned_until", sa.Date))


def downgrade() -> None:
    op.drop_column("retail_members", "tier_warned_until")
    op.drop_constraint("ck_retail_programs_tier_warning_days", "retail_programs",
                       type_="check")
    op.drop_column("retail_programs", "tier_warning_days")
