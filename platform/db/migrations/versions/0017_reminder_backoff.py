"""Task reminders back off when a plugin's handler fails: ``reminder_failures`` counts the
attempts, ``reminder_retry_at`` says when the next one may run (2 s, 4 s, … an hour).

Revision ID: 0017_reminder_backoff
Revises: 0014_task_reminders

Before, a reminder whose ``task.reminder_due`` handler kept failing was re-armed at once
and tried again on every idle tick of every worker (about once a second), each time with
a warning. The tenants function the worker scans with learns the same condition, so a
backing-off reminder does not make its tenant look due.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_reminder_backoff"
down_revision = "0014_task_reminders"
branch_labels = None
depends_on = None

DUE_TENANTS = """
CREATE OR REPLACE FUNCTION rapport_reminder_due_tenants(max_tenants integer)
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT DISTINCT tenant_id FROM tasks
    WHERE remind_at <= now() AND reminded_at IS NULL AND done_at IS NULL
      {retry}
    LIMIT max_tenants
$$
"""


def upgrade() -> None:
    op.add_column(
        "tasks",
        sa.Column("reminder_failures", sa.Integer, nullable=False, server_default="0"),
    )
    op.add_column("tasks", sa.Column("reminder_retry_at", sa.DateTime(timezone=True)))
    op.execute(DUE_TENANTS.format(
        retry="AND (reminder_retry_at IS NULL OR reminder_retry_at <= now())"
    ))


def downgrade() -> None:
    op.execute(DUE_TENANTS.format(retry=""))
    op.drop_column("tasks", "reminder_retry_at")
    op.drop_column("tasks", "reminder_failures")
