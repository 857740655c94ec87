"""Dealership: a contest may belong to one branch.

Revision ID: dealership_0005
Revises: dealership_0004

``dealership_contests.branch``: a branch's contest ranks the sales of that branch's orders
and is set and seen by its branch manager; without a branch (every contest before this
revision) a contest is dealership-wide, managed by managers of the whole dealership.
"""

import sqlalchemy as sa
from alembic import op

revision = "dealership_0005"
down_revision = "dealership_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("dealership_contests", sa.Column("branch", sa.String(100)))


def downgrade() -> None:
    op.drop_column("dealership_contests", "branch")
