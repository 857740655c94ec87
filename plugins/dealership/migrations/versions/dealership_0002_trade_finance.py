"""Dealership: trade-in appraisals, financing applications, F&I products.

Revision ID: dealership_0002
Revises: dealership_0001

No card or national-id numbers are stored: a financing application keeps the lender's
name and its reference (the application validates that a reference is not a card number).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from rapport.sdk import enable_tenant_rls, tenant_key_columns

revision = "dealership_0002"
down_revision = "dealership_0001"
branch_labels = None
depends_on = None


def _order(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("order_id", UUID(as_uuid=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "order_id"],
                                ["dealership_orders.tenant_id", "dealership_orders.id"],
                                ondelete="CASCADE", name=f"fk_{table}_order"),
    ]


def _created() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                     nullable=False)


def upgrade() -> None:
    op.create_table(
        "dealership_trade_ins", *tenant_key_columns(), *_order("dealership_trade_ins"),
        sa.Column("vin", sa.String(17), nullable=False),
        sa.Column("description", sa.String(200)),
        sa.Column("mileage_km", sa.Integer, nullable=False),
        sa.Column("condition", sa.String(10), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("actual_cash_value_minor", sa.BigInteger, nullable=False),
        sa.Column("allowance_minor", sa.BigInteger, nullable=False),
        sa.Column("payoff_minor", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("lienholder", sa.String(200)),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("appraised_by", UUID(as_uuid=True)),
        _created(),
    )
    op.create_table(
        "dealership_finance_applications", *tenant_key_columns(),
        *_order("dealership_finance_applications"),
        sa.Column("lender", sa.String(200), nullable=False),
        sa.Column("lender_reference", sa.String(300)),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(12), nullable=False, server_default="submitted"),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("note", sa.Text),
        _created(),
    )
    op.create_table(
        "dealership_fi_products", *tenant_key_columns(), *_order("dealership_fi_products"),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("provider", sa.String(200), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("price_minor", sa.BigInteger, nullable=False),
        sa.Column("cost_minor", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("chargeback_minor", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("chargeback_reason", sa.Text),
        sa.Column("charged_back_at", sa.DateTime(timezone=True)),
        sa.Column("sold_by", UUID(as_uuid=True)),
        _created(),
    )
    for table in ("dealership_trade_ins", "dealership_finance_applications",
                  "dealership_fi_products"):
        op.create_index(f"ix_{table}_tenant_id_order", table, ["tenant_id", "order_id"])
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in ("dealership_fi_products", "dealership_finance_applications",
                  "dealership_trade_ins"):
        op.drop_table(table)
