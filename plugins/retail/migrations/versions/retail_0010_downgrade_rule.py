"""Retail: how far a settlement moves a member down — ``supported`` (straight to the tier
the points support, the behaviour so far) or ``one_step`` (one tier down per period).

Revision ID: retail_0010
"""

import sqlalchemy as sa
from alembic import op

revision = "retail_0010"
down_revision = "retail_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("retail_programs", sa.Column("downgrade", sa.String(10), nullable=False,
                                               server_default="supported"))
    op.create_check_constraint("ck_retail_programs_downgrade", "retail_programs",
                               "downgrade IN ('supported', 'one_step')")


def downgrade() -> None:
    op.drop_constraint("ck_retail_programs_downgrade", "retail_programs", type_="check")
    op.drop_column("retail_programs", "downgrade")
