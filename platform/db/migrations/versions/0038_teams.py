"""Teams: a tenant groups its members (a name, a lead, members; a member may be in several).

Revision ID: 0038_teams
Revises: 0036_surveys, 0037_sso (it joins the two heads again)

- ``teams``: the name (unique in the tenant, case-insensitively) and the lead (a
  membership; cleared when that membership goes);
- ``team_members``: (team, membership) pairs, unique; gone with either.

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from rapport.db.migration_helpers import (
    disable_tenant_rls,
    enable_tenant_rls,
    tenant_key_columns,
)

revision = "0038_teams"
down_revision = ("0036_surveys", "0037_sso")
branch_labels = None
depends_on = None

TABLES = ("team_members", "teams")


def upgrade() -> None:
    op.create_table(
        "teams",
        *tenant_key_columns(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("lead_id", UUID(as_uuid=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "lead_id"],
                                ["memberships.tenant_id", "memberships.id"],
                                ondelete="SET NULL (lead_id)"),
    )
    op.create_index("ix_teams_tenant_id_name", "teams", ["tenant_id", sa.text("lower(name)")],
                    unique=True)
    op.create_table(
        "team_members",
        *tenant_key_columns(),
        sa.Column("team_id", UUID(as_uuid=True), nullable=False),
        sa.Column("membership_id", UUID(as_uuid=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "team_id"], ["teams.tenant_id", "teams.id"],
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id", "membership_id"],
                                ["memberships.tenant_id", "memberships.id"],
                                ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "team_id", "membership_id"),
    )
    # "Whose teams": the report's grouping and the owner_team filter read by membership.
    op.create_index("ix_team_members_tenant_id_membership_id", "team_members",
                    ["tenant_id", "membership_id", "team_id"])
    for table in reversed(TABLES):
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in TABLES:
        disable_tenant_rls(table)
        op.drop_table(table)
