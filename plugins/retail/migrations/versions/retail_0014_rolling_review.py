"""Retail: the worker reviews tiers of rolling 12-month programs once a month.

A rolling window never ends, so there is no period's end to settle at; the worker reviews
each member on the first of every month (the program's time zone) instead, and records the
month it did (``tier_reviewed_on``) so that passes may overlap and each member is reviewed
once a month.

Joining marks the period a member joined in as settled (nothing before it to settle), so
the worker's question "whose settlement is due?" is answered from these two indexes by the
few members it concerns, not by reading every member of the program on every pass; members
who joined before this revision are settled once on the worker's first pass (their cached
qualifying points rebuilt from the ledger, as ``tiers recompute`` does). The third index
serves the warning before a rolling review: which members with a tier were not weighed for
it yet.

Revision ID: retail_0014
"""

import sqlalchemy as sa
from alembic import op

revision = "retail_0014"
down_revision = "retail_0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("retail_members", sa.Column("tier_reviewed_on", sa.Date))
    for column in ("tier_settled_year", "tier_reviewed_on"):
        op.create_index(f"ix_retail_members_program_id_{column}", "retail_members",
                        ["tenant_id", "program_id", column])
    op.create_index("ix_retail_members_program_id_tier_warned_until", "retail_members",
                    ["tenant_id", "program_id", "tier_warned_until"],
                    postgresql_where=sa.text("tier_id IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_retail_members_program_id_tier_warned_until",
                  table_name="retail_members")
    for column in ("tier_settled_year", "tier_reviewed_on"):
        op.drop_index(f"ix_retail_members_program_id_{column}", table_name="retail_members")
    op.drop_column("retail_members", "tier_reviewed_on")
