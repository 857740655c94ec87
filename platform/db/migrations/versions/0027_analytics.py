"""Analytics: RFM, ABC, XYZ classes and lifetime value per contact, their history, and the
recompute jobs that write them.

Revision ID: 0027_analytics
Revises: 0026_communication

- ``analytics_jobs``: one recompute (its parameters, status, the steps done — the resume
  point — and each step's figures);
- ``contact_analytics``: a contact's current classes, key ``(tenant_id, id)`` with the
  contact's id,
  deleted with the contact;
- ``analytics_class_changes``: who moved from which class to which, when, in which job;
- ``rapport_analytics_due_tenants``: tells the worker (no tenant context) which tenants
  have a job waiting — never the jobs.

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from rapport.db.migration_helpers import (
    disable_tenant_rls,
    enable_tenant_rls,
    tenant_key_columns,
)

revision = "0027_analytics"
down_revision = "0026_communication"
branch_labels = None
depends_on = None

DUE_TENANTS = """
CREATE FUNCTION rapport_analytics_due_tenants(stale timestamptz, max_tenants integer)
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT DISTINCT tenant_id FROM analytics_jobs
    WHERE status = 'queued' OR (status = 'running' AND updated_at < stale)
    LIMIT max_tenants
$$
"""


def _now(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(),
                     nullable=False)


def upgrade() -> None:
    op.create_table(
        "analytics_jobs",
        *tenant_key_columns(),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("parameters", JSONB, nullable=False),
        sa.Column("steps", JSONB, nullable=False),
        sa.Column("steps_done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("results", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("failure", sa.Text),
        sa.Column("created_by", UUID(as_uuid=True)),
        _now("created_at"),
        _now("updated_at"),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("status IN ('queued', 'running', 'completed', 'failed')",
                           name="status"),
    )
    op.create_index("ix_analytics_jobs_tenant_id_status", "analytics_jobs",
                    ["tenant_id", "status"])
    # No index led by status for the worker's scan across tenants: every index of a tenant
    # table leads with tenant_id (tests/test_isolation.py), and the jobs table stays small
    # (one row per recompute), so the due-tenants scan reads it whole.
    op.create_table(
        "contact_analytics",
        sa.Column("tenant_id", UUID(as_uuid=True),
                  sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
        # The contact's own id: one row per contact, keyed like every tenant table.
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("currency", sa.String(3)),
        sa.Column("recency_days", sa.Integer),
        sa.Column("frequency", sa.Integer),
        sa.Column("monetary", sa.Numeric(18, 4)),
        sa.Column("r", sa.SmallInteger),
        sa.Column("f", sa.SmallInteger),
        sa.Column("m", sa.SmallInteger),
        sa.Column("rfm", sa.String(30)),
        sa.Column("abc", sa.String(1)),
        sa.Column("revenue_share", sa.Numeric(9, 6)),
        sa.Column("xyz", sa.String(1)),
        sa.Column("variation", sa.Numeric(12, 4)),
        sa.Column("clv", sa.Numeric(18, 4)),
        sa.Column("expected_purchases", sa.Numeric(12, 4)),
        sa.Column("clv_method", sa.String(20)),
        sa.Column("job_id", UUID(as_uuid=True)),
        _now("updated_at"),
        sa.ForeignKeyConstraint(["tenant_id", "id"], ["contacts.tenant_id", "contacts.id"],
                                ondelete="CASCADE"),
    )
    for column in ("rfm", "abc", "xyz"):
        op.create_index(f"ix_contact_analytics_tenant_id_{column}", "contact_analytics",
                        ["tenant_id", column])
    op.create_table(
        "analytics_class_changes",
        *tenant_key_columns(),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("before", sa.String(30)),
        sa.Column("after", sa.String(30)),
        sa.Column("job_id", UUID(as_uuid=True), nullable=False),
        _now("created_at"),
        sa.ForeignKeyConstraint(["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"],
                                ondelete="CASCADE"),
        sa.CheckConstraint("kind IN ('rfm', 'abc', 'xyz')", name="kind"),
    )
    op.create_index("ix_analytics_class_changes_tenant_id_contact_id", "analytics_class_changes",
                    ["tenant_id", "contact_id", "created_at"])
    for table in ("analytics_jobs", "contact_analytics", "analytics_class_changes"):
        enable_tenant_rls(table)
    op.execute(DUE_TENANTS)
    op.execute(
        "CREATE POLICY analytics_due_scan ON analytics_jobs FOR SELECT TO rapport_owner "
        "USING (status IN ('queued', 'running'))"
    )
    op.execute("REVOKE ALL ON FUNCTION rapport_analytics_due_tenants(timestamptz, integer) "
               "FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION rapport_analytics_due_tenants(timestamptz, integer) "
               "TO rapport_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION rapport_analytics_due_tenants(timestamptz, integer)")
    for table in ("analytics_class_changes", "contact_analytics", "analytics_jobs"):
        disable_tenant_rls(table)
        op.drop_table(table)
