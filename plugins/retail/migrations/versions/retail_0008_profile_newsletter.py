"""Retail: bonuses for completing the profile and subscribing to the newsletter.

Revision ID: retail_0008
"""

import sqlalchemy as sa
from alembic import op

revision = "retail_0008"
down_revision = "retail_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("retail_programs", sa.Column("profile_bonus", sa.Integer, nullable=False,
                                               server_default="0"))
    op.add_column("retail_programs", sa.Column("newsletter_bonus", sa.Integer, nullable=False,
                                               server_default="0"))


def downgrade() -> None:
    op.drop_column("retail_programs", "newsletter_bonus")
    op.drop_column("retail_programs", "profile_bonus")
