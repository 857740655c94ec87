"""Task reminders are delivered: ``tasks.reminded_at`` marks a delivered reminder, and
``notifications`` holds each member's in-app notifications.

Revision ID: 0014_task_reminders
Revises: 0012_join_links

A sibling head of the other areas' migrations (the runner upgrades all heads).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from rapport.db.migration_helpers import enable_tenant_rls, tenant_key_columns

revision = "0014_task_reminders"
down_revision = "0012_join_links"
branch_labels = None
depends_on = None

# A reminder is armed while it has a time, the task is open and it has not been delivered.
ARMED = "remind_at IS NOT NULL AND reminded_at IS NULL AND done_at IS NULL"


def _tasks() -> None:
    op.add_column("tasks", sa.Column("reminded_at", sa.DateTime(timezone=True)))
    # Only armed reminders are indexed: the worker's scan stays as small as the backlog.
    op.create_index(
        "ix_tasks_tenant_id_armed_remind_at",
        "tasks",
        ["tenant_id", "remind_at"],
        postgresql_where=sa.text(ARMED),
    )
    # RLS hides every tenant's tasks from a worker with no tenant context; this function
    # answers only "which tenants have a reminder due", never the tasks themselves.
    op.execute(
        """
        CREATE FUNCTION rapport_reminder_due_tenants(max_tenants integer)
        RETURNS SETOF uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
            SELECT DISTINCT tenant_id FROM tasks
            WHERE remind_at <= now() AND reminded_at IS NULL AND done_at IS NULL
            LIMIT max_tenants
        $$
        """
    )
    op.execute(
        f"CREATE POLICY reminder_due_scan ON tasks FOR SELECT TO rapport_owner USING ({ARMED})"
    )
    op.execute("REVOKE ALL ON FUNCTION rapport_reminder_due_tenants(integer) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION rapport_reminder_due_tenants(integer) TO rapport_app")


def _notifications() -> None:
    op.create_table(
        "notifications",
        *tenant_key_columns(),
        sa.Column("recipient_id", UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(80), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("record_type", sa.String(80)),
        sa.Column("record_id", UUID(as_uuid=True)),
        sa.Column("data", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        # A member's notifications leave with their membership.
        sa.ForeignKeyConstraint(
            ["tenant_id", "recipient_id"],
            ["memberships.tenant_id", "memberships.id"],
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_notifications_tenant_id_recipient_id_id",
        "notifications",
        ["tenant_id", "recipient_id", "id"],
    )
    op.create_index(
        "ix_notifications_tenant_id_recipient_id_unread_id",
        "notifications",
        ["tenant_id", "recipient_id", "id"],
        postgresql_where=sa.text("read_at IS NULL"),
    )
    enable_tenant_rls("notifications")


def upgrade() -> None:
    _tasks()
    _notifications()


def downgrade() -> None:
    op.drop_table("notifications")
    op.execute("DROP FUNCTION IF EXISTS rapport_reminder_due_tenants(integer)")
    op.execute("DROP POLICY IF EXISTS reminder_due_scan ON tasks")
    op.drop_index("ix_tasks_tenant_id_armed_remind_at", table_name="tasks")
    op.drop_column("tasks", "reminded_at")
