"""Throttling that cannot be raced and cannot lock people out: ``throttle_attempts``
replaces ``login_failures``.

Revision ID: 0019_login_throttle
Revises: 0018_join_heads

``login_failures`` kept one row per key (account *or* address), which can only express
"this account failed" and "this address failed". The rules in docs/auth-throttling.md need
the pair (which address failed against which account) and the number of distinct addresses
per account, so each row now carries both keys, plus the action it counts (login, sign-up,
password-reset request, invitation acceptance).

The old rows are dropped, not converted: they have no pair to convert to, and throttling
state is only worth one window (15 minutes by default) anyway.

Global like ``login_failures`` was (no tenant_id, no RLS): an address attacks every tenant
at once, and the keys are keyed hashes, never e-mails or addresses.

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_login_throttle"
down_revision = "0018_join_heads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("login_failures")
    op.create_table(
        "throttle_attempts",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("account_key", sa.String(64)),
        sa.Column("address_key", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_throttle_attempts_action_address_key_at",
        "throttle_attempts",
        ["action", "address_key", "at"],
    )
    op.create_index(
        "ix_throttle_attempts_account_key_address_key_at",
        "throttle_attempts",
        ["account_key", "address_key", "at"],
    )
    op.create_index("ix_throttle_attempts_at", "throttle_attempts", ["at"])


def downgrade() -> None:
    op.drop_table("throttle_attempts")
    op.create_table(
        "login_failures",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_login_failures_key_at", "login_failures", ["key", "at"])
