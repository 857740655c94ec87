"""Billing: a tenant's Stripe account with its derived entitlements, and the Stripe event
ids already applied.

Revision ID: 0022_billing
Revises: 0021_trash

``rapport_billing_tenant_of(customer)`` tells the webhook, which arrives with no tenant
context, which tenant a Stripe customer belongs to — never anything else.

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from rapport.db.migration_helpers import disable_tenant_rls, enable_tenant_rls

revision = "0022_billing"
down_revision = "0021_trash"
branch_labels = None
depends_on = None

TENANT_OF = """
CREATE FUNCTION rapport_billing_tenant_of(customer text)
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  -- Uniqueness is per tenant (every index here leads with tenant_id); a customer id that two
  -- tenants claimed would name neither, so the event is ignored rather than misapplied.
  SELECT a.tenant_id FROM billing_accounts a
  WHERE a.customer_id = customer
    AND NOT EXISTS (SELECT 1 FROM billing_accounts o
                    WHERE o.customer_id = customer AND o.tenant_id <> a.tenant_id)
$$
"""


def _key() -> list[sa.Column]:
    return [
        sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "billing_accounts",
        *_key(),
        sa.Column("customer_id", sa.String(255)),
        sa.Column("plan", sa.String(40), nullable=False, server_default="free"),
        sa.Column("status", sa.String(40), nullable=False, server_default="none"),
        sa.Column("modules", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("lapsed_at", sa.DateTime(timezone=True)),
        sa.Column("subscriptions", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("next_invoice_amount", sa.Integer),
        sa.Column("next_invoice_at", sa.DateTime(timezone=True)),
        sa.Column("currency", sa.String(3)),
        sa.Column("synced_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.UniqueConstraint("tenant_id", name="uq_billing_accounts_tenant_id"),
        sa.UniqueConstraint("tenant_id", "customer_id", name="uq_billing_accounts_customer_id"),
    )
    op.create_table(
        "billing_events",
        *_key(),
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.UniqueConstraint("tenant_id", "event_id", name="uq_billing_events_event_id"),
    )
    for table in ("billing_accounts", "billing_events"):
        enable_tenant_rls(table)
    op.execute(
        "CREATE POLICY billing_customer_lookup ON billing_accounts FOR SELECT TO rapport_owner"
        " USING (customer_id IS NOT NULL)"
    )
    op.execute(TENANT_OF)
    op.execute("REVOKE ALL ON FUNCTION rapport_billing_tenant_of(text) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION rapport_billing_tenant_of(text) TO rapport_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS rapport_billing_tenant_of(text)")
    op.execute("DROP POLICY IF EXISTS billing_customer_lookup ON billing_accounts")
    for table in ("billing_events", "billing_accounts"):
        disable_tenant_rls(table)
        op.drop_table(table)
