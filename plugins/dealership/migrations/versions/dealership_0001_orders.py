"""Dealership: catalogue, stock, orders, payments, order log, promises, incentives.

Revision ID: dealership_0001
Depends on: 0021_trash (contacts, memberships, deals, interactions, tenant_modules)

Money is integer minor units with an ISO currency. A stock unit is reserved by at most one
order (partial unique index), so of two concurrent reservations exactly one commits.
``dealership_due_tenants`` lets the worker find tenants with promises to remind about
across RLS (it returns tenant ids only).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from rapport.sdk import enable_tenant_rls, tenant_key_columns

revision = "dealership_0001"
down_revision = None
branch_labels = ("dealership",)
depends_on = "0021_trash"

DUE_TENANTS = """
CREATE OR REPLACE FUNCTION dealership_due_tenants(n integer) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT DISTINCT p.tenant_id FROM dealership_promises p
    JOIN tenant_modules m ON m.tenant_id = p.tenant_id AND m.name = 'dealership' AND m.enabled
    WHERE p.status = 'open' AND p.reminded_overdue_at IS NULL
      AND p.due_at <= now() + interval '31 days'
    LIMIT n
$$;
"""


def _created() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                     nullable=False)


def _fk(column: str, table: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"],
                                   ondelete=ondelete)


def _money(name: str, nullable: bool = False, default: str | None = None) -> sa.Column:
    return sa.Column(name, sa.BigInteger, nullable=nullable, server_default=default)


def _json_list(name: str) -> sa.Column:
    return sa.Column(name, JSONB, nullable=False, server_default=sa.text("'[]'::jsonb"))


def _uuid(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, UUID(as_uuid=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "dealership_vehicles", *tenant_key_columns(),
        sa.Column("make", sa.String(60), nullable=False),
        sa.Column("model", sa.String(60), nullable=False),
        sa.Column("model_year", sa.Integer, nullable=False),
        sa.Column("trim", sa.String(60), nullable=False),
        sa.Column("body", sa.String(40)),
        sa.Column("engine", sa.String(60)),
        _json_list("colours"), _json_list("options"),
        _money("base_price_minor"), sa.Column("currency", sa.String(3), nullable=False),
        _created(),
        sa.UniqueConstraint("tenant_id", "make", "model", "model_year", "trim",
                            name="uq_dealership_vehicles_definition"),
    )
    op.create_table(
        "dealership_stock", *tenant_key_columns(),
        _uuid("vehicle_id", False),
        sa.Column("vin", sa.String(17), nullable=False),
        sa.Column("colour_code", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="in_stock"),
        _uuid("order_id"),
        sa.Column("branch", sa.String(100)),
        _created(),
        _fk("vehicle_id", "dealership_vehicles"),
        sa.UniqueConstraint("tenant_id", "vin", name="uq_dealership_stock_vin"),
        sa.CheckConstraint("status IN ('in_stock','reserved','in_transit','sold')",
                           name="ck_dealership_stock_status"),
    )
    op.create_index("ix_dealership_stock_tenant_id_vehicle", "dealership_stock",
                    ["tenant_id", "vehicle_id", "status"])
    op.create_table(
        "dealership_orders", *tenant_key_columns(),
        _uuid("contact_id", False), _uuid("salesperson_id", False),
        sa.Column("branch", sa.String(100)),
        _uuid("vehicle_id", False),
        _json_list("options"),
        sa.Column("colour_code", sa.String(20), nullable=False),
        _json_list("alternative_colours"),
        sa.Column("currency", sa.String(3), nullable=False),
        _money("price_minor"), _money("discount_minor", default="0"),
        _money("trade_in_minor", default="0"),
        sa.Column("state", sa.String(20), nullable=False, server_default="quote"),
        sa.Column("expected_delivery", sa.Date),
        sa.Column("manufacturer_order_no", sa.String(40)),
        sa.Column("production_week", sa.String(8)),
        sa.Column("vin", sa.String(17)),
        _uuid("stock_unit_id"),
        sa.Column("delivered_on", sa.Date),
        sa.Column("delivered_colour", sa.String(20)),
        _json_list("splits"),
        _uuid("created_by"),
        _created(),
        _fk("contact_id", "contacts", "CASCADE"),
        _fk("salesperson_id", "memberships"),
        _fk("vehicle_id", "dealership_vehicles"),
        _fk("stock_unit_id", "dealership_stock"),
        sa.CheckConstraint("price_minor >= 0 AND discount_minor >= 0 AND trade_in_minor >= 0",
                           name="ck_dealership_orders_money"),
    )
    op.create_index("ix_dealership_orders_tenant_id_contact", "dealership_orders",
                    ["tenant_id", "contact_id"])
    op.create_index("ix_dealership_orders_tenant_id_state", "dealership_orders",
                    ["tenant_id", "state", "id"])
    op.create_index("ix_dealership_orders_tenant_id_salesperson", "dealership_orders",
                    ["tenant_id", "salesperson_id", "id"])
    op.create_index("uq_dealership_orders_stock_unit", "dealership_orders",
                    ["tenant_id", "stock_unit_id"], unique=True,
                    postgresql_where=sa.text("stock_unit_id IS NOT NULL AND state <> 'cancelled'"))
    op.create_table(
        "dealership_payments", *tenant_key_columns(),
        _uuid("order_id", False),
        sa.Column("kind", sa.String(10), nullable=False),
        _money("amount_minor"),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("receipt", sa.String(100)),
        sa.Column("reason", sa.Text),
        _uuid("recorded_by"),
        _created(),
        _fk("order_id", "dealership_orders", "CASCADE"),
        sa.CheckConstraint("amount_minor > 0 AND kind IN ('deposit','refund')",
                           name="ck_dealership_payments_amount"),
    )
    op.create_index("ix_dealership_payments_tenant_id_order", "dealership_payments",
                    ["tenant_id", "order_id"])
    op.create_table(
        "dealership_order_log", *tenant_key_columns(),
        _uuid("order_id", False), _uuid("contact_id", False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("summary", sa.String(300), nullable=False),
        sa.Column("data", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        _uuid("actor_id"),
        _created(),
        _fk("order_id", "dealership_orders", "CASCADE"),
    )
    op.create_index("ix_dealership_order_log_tenant_id_order", "dealership_order_log",
                    ["tenant_id", "order_id", "created_at"])
    op.create_index("ix_dealership_order_log_tenant_id_contact", "dealership_order_log",
                    ["tenant_id", "contact_id", "created_at"])
    op.create_table(
        "dealership_promises", *tenant_key_columns(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        _uuid("contact_id", False), _uuid("promised_by", False),
        sa.Column("branch", sa.String(100)),
        sa.Column("fulfilled_by", sa.String(20)),
        _money("cost_minor", True),
        sa.Column("cost_currency", sa.String(3)),
        sa.Column("cost_borne_by", sa.String(20)),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("probability", sa.Float, nullable=False),
        _uuid("order_id"), _uuid("deal_id"), _uuid("interaction_id"),
        _json_list("alternatives"),
        sa.Column("status", sa.String(20), nullable=False, server_default="open"),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        _uuid("decided_by"),
        sa.Column("evidence", sa.Text),
        _uuid("supersedes"), _uuid("superseded_by"),
        sa.Column("reminded_before_at", sa.DateTime(timezone=True)),
        sa.Column("reminded_overdue_at", sa.DateTime(timezone=True)),
        _created(),
        _fk("contact_id", "contacts", "CASCADE"),
        _fk("promised_by", "memberships"),
        _fk("order_id", "dealership_orders", "SET NULL (order_id)"),
        _fk("deal_id", "deals", "SET NULL (deal_id)"),
        _fk("interaction_id", "interactions", "SET NULL (interaction_id)"),
        sa.CheckConstraint("probability >= 0 AND probability <= 1",
                           name="ck_dealership_promises_probability"),
        sa.CheckConstraint("due_at > made_at", name="ck_dealership_promises_due"),
        sa.CheckConstraint(
            "status IN ('open','kept','broken','renegotiated','cancelled')",
            name="ck_dealership_promises_status"),
    )
    # The report reads one period of promises by due date; INCLUDE keeps it index-only.
    op.create_index("ix_dealership_promises_tenant_id_due", "dealership_promises",
                    ["tenant_id", "due_at"],
                    postgresql_include=["promised_by", "branch", "kind", "status",
                                        "probability"])
    op.create_index("ix_dealership_promises_tenant_id_open", "dealership_promises",
                    ["tenant_id", "due_at"], postgresql_where=sa.text("status = 'open'"))
    op.create_index("ix_dealership_promises_tenant_id_member", "dealership_promises",
                    ["tenant_id", "promised_by", "id"])
    op.create_index("ix_dealership_promises_tenant_id_contact", "dealership_promises",
                    ["tenant_id", "contact_id", "id"])
    op.create_index("ix_dealership_promises_tenant_id_order", "dealership_promises",
                    ["tenant_id", "order_id"])
    op.create_table(
        "dealership_quotas", *tenant_key_columns(),
        _uuid("member_id", False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("units", sa.Integer, nullable=False),
        _money("bonus_per_unit_minor", default="0"),
        sa.Column("currency", sa.String(3), nullable=False),
        _created(),
        _fk("member_id", "memberships", "CASCADE"),
        sa.UniqueConstraint("tenant_id", "member_id", "period_start",
                            name="uq_dealership_quotas_member_period"),
    )
    op.create_table(
        "dealership_contests", *tenant_key_columns(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("measure", sa.String(10), nullable=False),
        _json_list("prizes"),
        _created(),
    )
    op.create_table(
        "dealership_sale_credits", *tenant_key_columns(),
        _uuid("order_id", False), _uuid("member_id", False),
        sa.Column("percent", sa.Integer, nullable=False),
        sa.Column("counted_on", sa.Date, nullable=False),
        _money("gross_minor"),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reversed_on", sa.Date),
        _created(),
        _fk("order_id", "dealership_orders", "CASCADE"),
        _fk("member_id", "memberships"),
    )
    op.create_index("ix_dealership_sale_credits_tenant_id_counted", "dealership_sale_credits",
                    ["tenant_id", "counted_on"])
    op.create_index("ix_dealership_sale_credits_tenant_id_order", "dealership_sale_credits",
                    ["tenant_id", "order_id"])
    for table in ("dealership_vehicles", "dealership_stock", "dealership_orders",
                  "dealership_payments", "dealership_order_log", "dealership_promises",
                  "dealership_quotas", "dealership_contests", "dealership_sale_credits"):
        enable_tenant_rls(table)
    op.execute(DUE_TENANTS)
    op.execute("REVOKE ALL ON FUNCTION dealership_due_tenants(integer) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION dealership_due_tenants(integer) TO rapport_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS dealership_due_tenants(integer)")
    for table in ("dealership_sale_credits", "dealership_contests", "dealership_quotas",
                  "dealership_promises", "dealership_order_log", "dealership_payments",
                  "dealership_orders", "dealership_stock", "dealership_vehicles"):
        op.drop_table(table)
