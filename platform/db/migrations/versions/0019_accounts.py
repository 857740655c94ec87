"""Accounts that no tenant can take over: memberships are accepted by the person, sessions
are rows that can be revoked, and e-mailed one-time tokens prove control of an address.

Revision ID: 0019_accounts
Revises: 0018_join_heads

- ``memberships.accepted_at``: NULL while the person has not accepted the invitation (or
  confirmed a sign-up made with their address); such a membership grants nothing. Existing
  members whose user has a password are accepted as of their membership's creation.
- ``invitations.invited_name``: the name the inviter typed, shown to that tenant while the
  invitation is pending; the person's global name is theirs to set.
- ``users.email_verified_at`` and ``users.sessions_revoked_before``: the second revokes
  every session of the person, in every tenant, at once (password change, reset, "sign out
  everywhere"); a session counts only when it was created after it.
- ``auth_sessions``: one row per issued token (its ``sid`` claim), tenant-owned, deleted
  with the membership, so removal from one tenant ends the sessions there and nowhere else.
- ``account_tokens``: password-reset and address-verification tokens (hashed, single-use,
  expiring). Global like ``users``: they belong to the person, not to a tenant.

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0019_accounts"
down_revision = "0018_join_heads"
branch_labels = None
depends_on = None


def _now_column(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    op.add_column("users", sa.Column("email_verified_at", sa.DateTime(timezone=True)))
    op.add_column("users", sa.Column("sessions_revoked_before", sa.DateTime(timezone=True)))
    op.add_column("memberships", sa.Column("accepted_at", sa.DateTime(timezone=True)))
    op.add_column("invitations", sa.Column("invited_name", sa.String(200)))
    # Forced RLS binds the owner too: backfill every tenant's rows by lifting it briefly.
    op.execute("ALTER TABLE memberships NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE memberships DISABLE ROW LEVEL SECURITY")
    op.execute(
        "UPDATE memberships m SET accepted_at = m.created_at FROM users u "
        "WHERE u.id = m.user_id AND u.password_hash IS NOT NULL"
    )
    op.execute("ALTER TABLE memberships ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE memberships FORCE ROW LEVEL SECURITY")

    op.create_table(
        "auth_sessions",
        sa.Column("tenant_id", UUID(as_uuid=True), nullable=False),
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        _now_column("created_at"),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("user_agent", sa.String(200), nullable=False, server_default=""),
        sa.Column("address", sa.String(64), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_auth_sessions"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], ondelete="CASCADE",
            name="fk_auth_sessions_tenant_id_tenants",
        ),
        # The membership's end is the session's end.
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"], ["memberships.tenant_id", "memberships.user_id"],
            ondelete="CASCADE", name="fk_auth_sessions_tenant_id_user_id_memberships",
        ),
    )
    op.create_index("ix_auth_sessions_tenant_id_user_id", "auth_sessions", ["tenant_id", "user_id"])
    op.execute("ALTER TABLE auth_sessions ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE auth_sessions FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY tenant_isolation ON auth_sessions "
        "USING (tenant_id = rapport_current_tenant()) "
        "WITH CHECK (tenant_id = rapport_current_tenant())"
    )

    op.create_table(
        "account_tokens",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column(
            "user_id", UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        _now_column("created_at"),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_account_tokens_user_id_purpose", "account_tokens", ["user_id", "purpose"])


def downgrade() -> None:
    op.drop_table("account_tokens")
    op.drop_table("auth_sessions")
    op.drop_column("invitations", "invited_name")
    op.drop_column("memberships", "accepted_at")
    op.drop_column("users", "sessions_revoked_before")
    op.drop_column("users", "email_verified_at")
