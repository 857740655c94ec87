"""Outbound webhooks: tenants' endpoints and the deliveries of committed events to them.

Revision ID: 0029_webhooks
Revises: 0028_import_staging

- ``webhook_endpoints``: URL, secret, event filter, and whether it is disabled (and since
  when it has been failing);
- ``webhook_deliveries``: one row per (endpoint, outbox event) — unique, so an event is
  never queued twice for an endpoint — with its status, attempts and next attempt;
- ``rapport_webhook_due_tenants(n)``: which tenants have deliveries due (ids only).

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from rapport.db.migration_helpers import (
    disable_tenant_rls,
    enable_tenant_rls,
    tenant_key_columns,
)

revision = "0029_webhooks"
down_revision = "0028_import_staging"
branch_labels = None
depends_on = None

TABLES = ("webhook_deliveries", "webhook_endpoints")
DUE = "status = 'pending' AND next_attempt_at <= now()"


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        *tenant_key_columns(),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("events", ARRAY(sa.String(120)), nullable=False),
        sa.Column("description", sa.String(200), nullable=False, server_default=""),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("failing_since", sa.DateTime(timezone=True)),
        sa.Column("disabled_at", sa.DateTime(timezone=True)),
        sa.Column("disabled_reason", sa.Text),
        sa.Column("created_by", UUID(as_uuid=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
    )
    op.create_table(
        "webhook_deliveries",
        *tenant_key_columns(),
        sa.Column("endpoint_id", UUID(as_uuid=True), nullable=False),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False),
        sa.Column("event_type", sa.String(120), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
        sa.Column("attempts", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "endpoint_id"],
                                ["webhook_endpoints.tenant_id", "webhook_endpoints.id"],
                                ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "endpoint_id", "event_id"),
        sa.CheckConstraint("status IN ('pending', 'delivered', 'failed', 'cancelled')",
                           name="status"),
    )
    op.create_index("ix_webhook_deliveries_tenant_id_due", "webhook_deliveries",
                    ["tenant_id", "next_attempt_at"],
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_index("ix_webhook_deliveries_tenant_id_endpoint_id", "webhook_deliveries",
                    ["tenant_id", "endpoint_id", "id"])
    for table in reversed(TABLES):
        enable_tenant_rls(table)
    op.execute(
        f"""
        CREATE FUNCTION rapport_webhook_due_tenants(max_tenants integer)
        RETURNS SETOF uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
            SELECT DISTINCT tenant_id FROM webhook_deliveries WHERE {DUE} LIMIT max_tenants
        $$
        """  # noqa: S608 - constants of this file, no input
    )
    op.execute(f"CREATE POLICY webhook_due_scan ON webhook_deliveries FOR SELECT "
               f"TO rapport_owner USING ({DUE})")
    op.execute("REVOKE ALL ON FUNCTION rapport_webhook_due_tenants(integer) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION rapport_webhook_due_tenants(integer) TO rapport_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION rapport_webhook_due_tenants(integer)")
    op.execute("DROP POLICY webhook_due_scan ON webhook_deliveries")
    for table in TABLES:
        disable_tenant_rls(table)
        op.drop_table(table)
