"""Retail loyalty: programs, rules, products, tiers, members, cards, the points ledger,
rewards, vouchers, tier history and till purchases.

Revision ID: retail_0001
Depends on: 0001_kernel (tenants, contacts)

Revisions are history: the columns are written out here, not imported from models.py.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from rapport.sdk import enable_tenant_rls, tenant_key_columns

revision = "retail_0001"
down_revision = None
branch_labels = ("retail",)
depends_on = "0001_kernel"

TABLES = (
    "retail_programs", "retail_rules", "retail_products", "retail_tiers", "retail_members",
    "retail_cards", "retail_ledger", "retail_rewards", "retail_vouchers",
    "retail_tier_history", "retail_till_purchases",
)


def _created() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                     nullable=False)


def _fk(table: str, column: str, target: str, ondelete: str | None = "CASCADE"
        ) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id", column], [f"{target}.tenant_id", f"{target}.id"],
                                   ondelete=ondelete, name=f"fk_{table}_{column}")


def _index(table: str, *columns: str, where: str | None = None, unique: bool = False) -> None:
    op.create_index(f"ix_{table}_{'_'.join(columns)}", table, ["tenant_id", *columns],
                    unique=unique,
                    postgresql_where=sa.text(where) if where else None)


def _programs() -> None:
    op.create_table(
        "retail_programs", *tenant_key_columns(), _created(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("points_per_unit", sa.Numeric(12, 4), nullable=False),
        sa.Column("min_purchase", sa.Numeric(14, 4), nullable=False, server_default="0"),
        sa.Column("rounding", sa.String(10), nullable=False, server_default="down"),
        sa.Column("expiry_months", sa.Integer),
        sa.Column("tier_period", sa.String(20), nullable=False, server_default="calendar_year"),
        sa.Column("value_per_point", sa.Numeric(12, 4), nullable=False, server_default="0.01"),
        sa.Column("expected_redemption_rate", sa.Numeric(5, 4), nullable=False,
                  server_default="0.8"),
        sa.Column("birthday_bonus", sa.Integer, nullable=False, server_default="0"),
        sa.Column("time_zone", sa.String(64), nullable=False, server_default="UTC"),
        sa.Column("card_prefix", sa.String(8), nullable=False, server_default="7000"),
        sa.Column("next_card", sa.BigInteger, nullable=False, server_default="1"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_retail_programs_name"),
        sa.CheckConstraint("rounding IN ('down', 'nearest', 'up')",
                           name="ck_retail_programs_rounding"),
        sa.CheckConstraint("tier_period IN ('calendar_year', 'rolling_12_months')",
                           name="ck_retail_programs_tier_period"),
    )
    op.create_table(
        "retail_rules", *tenant_key_columns(), _created(),
        sa.Column("program_id", UUID(as_uuid=True), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sku", sa.String(200)),
        sa.Column("category", sa.String(200)),
        sa.Column("multiplier", sa.Numeric(8, 2), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True)),
        sa.Column("ends_at", sa.DateTime(timezone=True)),
        _fk("retail_rules", "program_id", "retail_programs"),
    )
    _index("retail_rules", "program_id")
    op.create_table(
        "retail_products", *tenant_key_columns(), _created(),
        sa.Column("sku", sa.String(200), nullable=False),
        sa.Column("category", sa.String(200), nullable=False),
        sa.UniqueConstraint("tenant_id", "sku", name="uq_retail_products_sku"),
    )
    op.create_table(
        "retail_tiers", *tenant_key_columns(), _created(),
        sa.Column("program_id", UUID(as_uuid=True), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("threshold", sa.Integer, nullable=False),
        sa.Column("multiplier", sa.Numeric(6, 2), nullable=False, server_default="1"),
        sa.Column("perks", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        _fk("retail_tiers", "program_id", "retail_programs"),
        sa.UniqueConstraint("tenant_id", "program_id", "name", name="uq_retail_tiers_name"),
    )
    op.create_table(
        "retail_rewards", *tenant_key_columns(), _created(),
        sa.Column("program_id", UUID(as_uuid=True), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("points_cost", sa.Integer, nullable=False),
        sa.Column("stock", sa.Integer),
        sa.Column("valid_days", sa.Integer, nullable=False, server_default="30"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        _fk("retail_rewards", "program_id", "retail_programs"),
        sa.CheckConstraint("stock IS NULL OR stock >= 0", name="ck_retail_rewards_stock"),
    )
    _index("retail_rewards", "program_id")


def _members() -> None:
    op.create_table(
        "retail_members", *tenant_key_columns(), _created(),
        sa.Column("program_id", UUID(as_uuid=True), nullable=False),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("channel", sa.String(40), nullable=False, server_default="store"),
        sa.Column("referred_by", UUID(as_uuid=True)),
        sa.Column("staff", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("notes", sa.Text),
        sa.Column("balance", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("qualifying_points", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("tier_id", UUID(as_uuid=True)),
        sa.Column("birthday_bonus_year", sa.Integer),
        _fk("retail_members", "program_id", "retail_programs"),
        _fk("retail_members", "contact_id", "contacts"),
        # SET NULL on a composite key would null tenant_id too: tiers are never deleted.
        _fk("retail_members", "tier_id", "retail_tiers", None),
        sa.UniqueConstraint("tenant_id", "program_id", "contact_id",
                            name="uq_retail_members_contact"),
        sa.CheckConstraint("balance >= 0", name="ck_retail_members_balance_not_negative"),
    )
    _index("retail_members", "contact_id")
    op.create_table(
        "retail_cards", *tenant_key_columns(), _created(),
        sa.Column("member_id", UUID(as_uuid=True), nullable=False),
        sa.Column("number", sa.String(19), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("state", sa.String(10), nullable=False, server_default="active"),
        sa.Column("replaced_by", UUID(as_uuid=True)),
        _fk("retail_cards", "member_id", "retail_members"),
        sa.UniqueConstraint("tenant_id", "number", name="uq_retail_cards_number"),
        sa.CheckConstraint("kind IN ('plastic', 'virtual')", name="ck_retail_cards_kind"),
        sa.CheckConstraint("state IN ('active', 'blocked', 'lost', 'replaced')",
                           name="ck_retail_cards_state"),
    )
    _index("retail_cards", "member_id")


def _ledger() -> None:
    op.create_table(
        "retail_ledger", *tenant_key_columns(), _created(),
        sa.Column("member_id", UUID(as_uuid=True), nullable=False),
        sa.Column("card_id", UUID(as_uuid=True)),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("points", sa.BigInteger, nullable=False),
        sa.Column("qualifying", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("remaining", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("external_id", sa.String(200)),
        sa.Column("transaction_id", UUID(as_uuid=True)),
        sa.Column("amount", sa.Numeric(14, 4)),
        sa.Column("reason", sa.String(500)),
        sa.Column("recorded_by", UUID(as_uuid=True)),
        _fk("retail_ledger", "member_id", "retail_members"),
        sa.CheckConstraint("kind IN ('earn', 'redeem', 'expire', 'adjust', 'reverse', 'bonus')",
                           name="ck_retail_ledger_kind"),
        sa.CheckConstraint("remaining >= 0", name="ck_retail_ledger_remaining"),
    )
    _index("retail_ledger", "member_id", "created_at")
    # Open batches in the order redemptions consume them (oldest expiry first).
    op.create_index("ix_retail_ledger_open_batches", "retail_ledger",
                    ["tenant_id", "member_id", "expires_at", "id"],
                    postgresql_where=sa.text("remaining > 0"))
    op.create_index("ix_retail_ledger_expiring", "retail_ledger", ["tenant_id", "expires_at"],
                    postgresql_where=sa.text("remaining > 0 AND expires_at IS NOT NULL"))
    # Exactly once per kernel transaction and per sender id, whatever repeats.
    op.create_index("uq_retail_ledger_earned_transaction", "retail_ledger",
                    ["tenant_id", "transaction_id"], unique=True,
                    postgresql_where=sa.text("kind = 'earn' AND transaction_id IS NOT NULL"))
    op.create_index("uq_retail_ledger_external_id", "retail_ledger",
                    ["tenant_id", "member_id", "external_id"], unique=True,
                    postgresql_where=sa.text("external_id IS NOT NULL"))


def _vouchers() -> None:
    op.create_table(
        "retail_vouchers", *tenant_key_columns(), _created(),
        sa.Column("member_id", UUID(as_uuid=True), nullable=False),
        sa.Column("reward_id", UUID(as_uuid=True), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("state", sa.String(10), nullable=False, server_default="issued"),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.Column("used_external_id", sa.String(200)),
        _fk("retail_vouchers", "member_id", "retail_members"),
        _fk("retail_vouchers", "reward_id", "retail_rewards"),
        sa.UniqueConstraint("tenant_id", "code", name="uq_retail_vouchers_code"),
    )
    _index("retail_vouchers", "member_id")
    op.create_table(
        "retail_tier_history", *tenant_key_columns(), _created(),
        sa.Column("member_id", UUID(as_uuid=True), nullable=False),
        sa.Column("from_tier", sa.String(100)),
        sa.Column("to_tier", sa.String(100)),
        sa.Column("reason", sa.String(40), nullable=False),
        _fk("retail_tier_history", "member_id", "retail_members"),
    )
    _index("retail_tier_history", "member_id", "created_at")
    op.create_table(
        "retail_till_purchases", *tenant_key_columns(), _created(),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("answer", JSONB, nullable=False),
        sa.UniqueConstraint("tenant_id", "external_id",
                            name="uq_retail_till_purchases_external"),
    )


def upgrade() -> None:
    _programs()
    _members()
    _ledger()
    _vouchers()
    tables: Sequence[str] = TABLES
    for table in tables:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
