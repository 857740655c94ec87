"""Education: issued credentials can be suspended (and reinstated) as well as revoked;
licences keep the history of their renewals.

Revision ID: education_0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "education_0004"
down_revision = "education_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("education_issued", sa.Column("suspended_at", sa.DateTime(timezone=True)))
    op.add_column("education_issued", sa.Column("suspension_reason", sa.Text))
    op.add_column("education_licences", sa.Column(
        "renewals", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")))


def downgrade() -> None:
    op.drop_column("education_licences", "renewals")
    op.drop_column("education_issued", "suspension_reason")
    op.drop_column("education_issued", "suspended_at")
