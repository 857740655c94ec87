"""Console imports' progress, kept where every server process can read it.

Revision ID: console_0003
Revises: console_0001

An import started from the console runs in the server process that took the request, but
with several worker processes (``rapport run --workers``) the progress bar's polls land on
any of them. ``console_import_jobs`` holds each job's phase and counts, written by the
running process about twice a second, so every process answers the same.

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "console_0003"
down_revision = "console_0001"
branch_labels = None
depends_on = None

CURRENT = "rapport_current_tenant()"


def upgrade() -> None:
    op.create_table(
        "console_import_jobs",
        sa.Column(
            "tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("phase", sa.String(20), nullable=False),
        sa.Column("total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("finished", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("import_id", UUID(as_uuid=True)),
        sa.Column("failure", sa.Text),
        sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("errors", JSONB, nullable=False, server_default="[]"),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.execute("ALTER TABLE console_import_jobs ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE console_import_jobs FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY tenant_isolation ON console_import_jobs"
        f" USING (tenant_id = {CURRENT}) WITH CHECK (tenant_id = {CURRENT})"
    )


def downgrade() -> None:
    op.drop_table("console_import_jobs")
