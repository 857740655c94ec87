"""Saved views of the contact list.

Revision ID: console_0002
Revises: console_0003 (console_0002 and console_0003 were written at the same time, both
on console_0001; this one now follows console_0003 so the console branch has one head)
Depends on: 0020_tenant_config_version (the kernel head when this was written)

``console_saved_views``: a member's named contact list — filters (the API's
``field:op:value``), columns, sort and search — kept for them, or shared with everyone in
the tenant (``shared``). Primary key ``(tenant_id, id)``, forced RLS under the tenant policy
like every tenant table; the owner is the user id of the member who saved it.

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision = "console_0002"
down_revision = "console_0003"
branch_labels = None
depends_on = "0020_tenant_config_version"

CURRENT = "rapport_current_tenant()"


def upgrade() -> None:
    op.create_table(
        "console_saved_views",
        sa.Column(
            "tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column(
            "user_id", UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("filters", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("columns", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("sort", sa.String(100)),
        sa.Column("q", sa.String(200)),
        sa.Column("shared", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.create_index(
        "ix_console_saved_views_tenant_id_user_id", "console_saved_views",
        ["tenant_id", "user_id"],
    )
    op.execute("ALTER TABLE console_saved_views ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE console_saved_views FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY tenant_isolation ON console_saved_views"
        f" USING (tenant_id = {CURRENT}) WITH CHECK (tenant_id = {CURRENT})"
    )


def downgrade() -> None:
    op.drop_table("console_saved_views")
