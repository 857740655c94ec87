"""Retail: erasing a member's identity (GDPR) while the anonymised ledger stays.

Revision ID: retail_0006

An erased member loses its contact (``contact_id`` NULL: the composite foreign key is not
checked for a NULL column), its notes and its cards; its ledger, vouchers and tier history
stay for the accounts, attached to a member row that no longer names anyone.
"""

import sqlalchemy as sa
from alembic import op

revision = "retail_0006"
down_revision = "retail_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("retail_members", "contact_id", nullable=True)
    op.add_column("retail_members", sa.Column("erased_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("retail_members", "erased_at")
    op.alter_column("retail_members", "contact_id", nullable=False)
