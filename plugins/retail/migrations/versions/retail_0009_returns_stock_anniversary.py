"""Retail: the program's rule for a return after points were spent, pre-printed card stock
registered by range, and tier periods that start on each member's join anniversary.

Revision ID: retail_0009

- ``retail_programs.return_rule``: ``claw_back`` (take the points from the member's other
  points; refuse when the balance cannot cover it — the behaviour so far), ``negative`` (the
  balance may go below zero; later earnings repay it first) or ``refuse`` (a return whose
  points were already spent is refused).
- ``retail_members.debt``: how far below zero a return took the balance. The balance's floor
  is ``-debt``, so nothing but a return that records its debt in the same statement can take
  a balance negative; a redemption still needs ``balance >= n``.
- ``retail_members.tier_settled_year``: the year the member's anniversary period was last
  settled (the worker settles each member once a year, on the anniversary).
- ``retail_card_stock``: ranges of pre-printed plastic numbers (first body, count, length).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from rapport.sdk import enable_tenant_rls, tenant_key_columns

revision = "retail_0009"
down_revision = "retail_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("retail_programs", sa.Column("return_rule", sa.String(12), nullable=False,
                                               server_default="claw_back"))
    op.create_check_constraint("ck_retail_programs_return_rule", "retail_programs",
                               "return_rule IN ('claw_back', 'negative', 'refuse')")
    op.drop_constraint("ck_retail_programs_tier_period", "retail_programs", type_="check")
    op.create_check_constraint(
        "ck_retail_programs_tier_period", "retail_programs",
        "tier_period IN ('calendar_year', 'rolling_12_months', 'anniversary')")
    op.add_column("retail_members", sa.Column("debt", sa.BigInteger, nullable=False,
                                              server_default="0"))
    op.add_column("retail_members", sa.Column("tier_settled_year", sa.Integer))
    op.drop_constraint("ck_retail_members_balance_not_negative", "retail_members",
                       type_="check")
    op.create_check_constraint("ck_retail_members_balance_floor", "retail_members",
                               "debt >= 0 AND balance >= -debt")
    op.create_table(
        "retail_card_stock", *tenant_key_columns(),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("program_id", UUID(as_uuid=True), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("first_body", sa.BigInteger, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("length", sa.SmallInteger, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "program_id"],
                                ["retail_programs.tenant_id", "retail_programs.id"],
                                ondelete="CASCADE", name="fk_retail_card_stock_program_id"),
        sa.CheckConstraint("count > 0 AND first_body >= 0 AND length BETWEEN 8 AND 19",
                           name="ck_retail_card_stock_range"),
    )
    op.create_index("ix_retail_card_stock_program_id", "retail_card_stock",
                    ["tenant_id", "program_id", "length", "first_body"])
    enable_tenant_rls("retail_card_stock")


def downgrade() -> None:
    op.drop_table("retail_card_stock")
    op.drop_constraint("ck_retail_members_balance_floor", "retail_members", type_="check")
    op.execute("UPDATE retail_members SET balance = 0 WHERE balance < 0")
    op.create_check_constraint("ck_retail_members_balance_not_negative", "retail_members",
                               "balance >= 0")
    op.drop_column("retail_members", "tier_settled_year")
    op.drop_column("retail_members", "debt")
    op.drop_constraint("ck_retail_programs_tier_period", "retail_programs", type_="check")
    op.execute("UPDATE retail_programs SET tier_period = 'calendar_year'"
               " WHERE tier_period = 'anniversary'")
    op.create_check_constraint("ck_retail_programs_tier_period", "retail_programs",
                               "tier_period IN ('calendar_year', 'rolling_12_months')")
    op.drop_constraint("ck_retail_programs_return_rule", "retail_programs", type_="check")
    op.drop_column("retail_programs", "return_rule")
