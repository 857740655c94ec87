"""Kernel foundation: tenants, users, memberships, invitations, contacts; roles and RLS.

Revision ID: 0001_kernel
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import CITEXT, JSONB, UUID

from rapport.db.migration_helpers import enable_tenant_rls

revision = "0001_kernel"
down_revision = None
branch_labels = ("kernel",)
depends_on = None

TENANT_TABLES = ("memberships", "invitations", "contacts")


def _tenant_fk() -> sa.ForeignKey:
    return sa.ForeignKey("tenants.id", ondelete="CASCADE")


def _created_at() -> sa.Column:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS citext")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # STABLE + nullif: evaluated once per query, and '' (a pooled connection that had
    # the setting before) means "no tenant", not a cast error.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION rapport_current_tenant() RETURNS uuid
        LANGUAGE sql STABLE PARALLEL SAFE
        AS $$ SELECT nullif(current_setting('rapport.tenant_id', true), '')::uuid $$
        """
    )
    op.execute("GRANT USAGE ON SCHEMA public TO rapport_app")
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO rapport_app"
    )
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO rapport_app"
    )
    op.execute("GRANT SELECT ON alembic_version TO rapport_app")

    op.create_table(
        "tenants",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("slug", sa.String(40), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="active"),
        _created_at(),
    )
    op.create_table(
        "users",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("email", CITEXT, nullable=False, unique=True),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.Text),
        _created_at(),
    )
    op.create_table(
        "memberships",
        sa.Column("tenant_id", UUID(as_uuid=True), _tenant_fk(), primary_key=True),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column(
            "user_id",
            UUID(as_uuid=True),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("role", sa.String(40), nullable=False),
        _created_at(),
        sa.UniqueConstraint("tenant_id", "user_id"),
    )
    op.create_table(
        "invitations",
        sa.Column("tenant_id", UUID(as_uuid=True), _tenant_fk(), primary_key=True),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("membership_id", UUID(as_uuid=True), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True)),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["tenant_id", "membership_id"],
            ["memberships.tenant_id", "memberships.id"],
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("tenant_id", "token_hash"),
    )
    op.create_index(
        "ix_invitations_tenant_id_membership_id", "invitations", ["tenant_id", "membership_id"]
    )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_login_failures_key_at", "login_failures", ["key", "at"])
    op.create_table(
        "contacts",
        sa.Column("tenant_id", UUID(as_uuid=True), _tenant_fk(), primary_key=True),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("given_name", sa.String(200)),
        sa.Column("family_name", sa.String(200)),
        sa.Column("email", CITEXT),
        sa.Column("fields", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("created_by", UUID(as_uuid=True)),
        _created_at(),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.create_index(
        "uq_contacts_tenant_id_email",
        "contacts",
        ["tenant_id", "email"],
        unique=True,
        postgresql_where=sa.text("email IS NOT NULL"),
    )
    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in ("contacts", "login_failures", "invitations", "memberships", "users", "tenants"):
        op.drop_table(table)
    op.execute("DROP FUNCTION IF EXISTS rapport_current_tenant()")
