"""Analytics: the worker's scheduled recomputes.

Revision ID: 0030_analytics_schedule
Revises: 0029_webhooks

- ``rapport_analytics_stale_tenants(before, n)``: tenants (ids only) whose analysis is out
  of date — they completed a recompute, transactions were recorded after it started, no
  recompute is queued or running, and none was started after ``before`` (the interval);
- the two read policies it needs for the owner role (the app's role is not widened);
- ``ix_transactions_tenant_id_created_at``: "anything recorded since the last recompute"
  is an index probe, here and in the recompute's unchanged-check.

This revision is history: it imports no application code.
"""

from alembic import op

revision = "0030_analytics_schedule"
down_revision = "0029_webhooks"
branch_labels = None
depends_on = None

STALE_TENANTS = """
CREATE FUNCTION rapport_analytics_stale_tenants(before timestamptz, max_tenants integer)
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT last.tenant_id
    FROM (SELECT tenant_id, max(created_at) AS started FROM analytics_jobs
          WHERE status = 'completed' GROUP BY tenant_id) AS last
    WHERE NOT EXISTS (SELECT 1 FROM analytics_jobs j WHERE j.tenant_id = last.tenant_id
                      AND (j.status IN ('queued', 'running') OR j.created_at > before))
      AND EXISTS (SELECT 1 FROM transactions t WHERE t.tenant_id = last.tenant_id
                  AND t.created_at >= last.started)
    LIMIT max_tenants
$$
"""
SIGNATURE = "rapport_analytics_stale_tenants(timestamptz, integer)"


def upgrade() -> None:
    op.create_index("ix_transactions_tenant_id_created_at", "transactions",
                    ["tenant_id", "created_at"])
    op.execute("CREATE POLICY analytics_schedule_scan ON analytics_jobs FOR SELECT "
               "TO rapport_owner USING (true)")
    op.execute("CREATE POLICY analytics_schedule_scan ON transactions FOR SELECT "
               "TO rapport_owner USING (true)")
    op.execute(STALE_TENANTS)
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO rapport_app")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {SIGNATURE}")
    op.execute("DROP POLICY analytics_schedule_scan ON transactions")
    op.execute("DROP POLICY analytics_schedule_scan ON analytics_jobs")
    op.drop_index("ix_transactions_tenant_id_created_at", table_name="transactions")
