"""Outbox delivery: attempts, last error, next try; a safe way for the worker to find
which tenants have pending events without seeing their contents.

Revision ID: 0010_outbox_worker
Revises: 0004_modules
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_outbox_worker"
down_revision = "0004_modules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "event_outbox", sa.Column("attempts", sa.Integer, nullable=False, server_default="0")
    )
    op.add_column("event_outbox", sa.Column("last_error", sa.Text))
    op.add_column(
        "event_outbox",
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
    )
    # RLS hides every tenant's outbox from a worker with no tenant context; this function
    # answers only "which tenants have something due", never the events themselves.
    op.execute(
        """
        CREATE FUNCTION rapport_outbox_due_tenants(max_tenants integer)
        RETURNS SETOF uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
            SELECT DISTINCT tenant_id FROM event_outbox
            WHERE dispatched_at IS NULL AND next_attempt_at <= now()
            LIMIT max_tenants
        $$
        """
    )
    op.execute(
        "CREATE POLICY outbox_due_scan ON event_outbox FOR SELECT TO rapport_owner "
        "USING (dispatched_at IS NULL)"
    )
    op.execute("REVOKE ALL ON FUNCTION rapport_outbox_due_tenants(integer) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION rapport_outbox_due_tenants(integer) TO rapport_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS rapport_outbox_due_tenants(integer)")
    op.execute("DROP POLICY IF EXISTS outbox_due_scan ON event_outbox")
    for column in ("next_attempt_at", "last_error", "attempts"):
        op.drop_column("event_outbox", column)
