"""Two-factor sign-in: a person's TOTP authenticator and recovery codes, the second-step
challenges of a sign-in, and each tenant's policy.

Revision ID: 0034_two_factor
Revises: 0033_tracking_windows

- ``user_totp``: one authenticator per person (global, like ``users``: a tenant never
  influences a person's credentials). The secret is encrypted with a key derived from the
  application's secret key; ``confirmed_at`` is NULL while the enrolment is pending;
  ``last_used_step`` is the newest time step a code was accepted for, so a code is never
  accepted twice (RFC 6238 section 5.2).
- ``user_recovery_codes``: ten per person, SHA-256 of each (they are random, 80 bits),
  ``used_at`` set once.
- ``sign_in_challenges``: the second step of one sign-in to one tenant (tenant-owned, forced
  RLS, deleted with the membership): kind ``totp`` or ``enrol``, its expiry, when it was
  used, how many wrong codes it has seen.
- ``two_factor_policies``: one row per tenant that set ``require_2fa`` (off, admins,
  everyone); no row means off.

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

revision = "0034_two_factor"
down_revision = "0033_tracking_windows"
branch_labels = None
depends_on = None

TENANT_TABLES = ("sign_in_challenges", "two_factor_policies")


def _now(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(),
                     nullable=False)


def upgrade() -> None:
    op.create_table(
        "user_totp",
        sa.Column("user_id", UUID(as_uuid=True),
                  sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True)),
        sa.Column("last_used_step", sa.BigInteger),
        _now("created_at"),
    )
    op.create_table(
        "user_recovery_codes",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True),
                  sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        _now("created_at"),
        sa.UniqueConstraint("user_id", "code_hash",
                            name="uq_user_recovery_codes_user_id_code_hash"),
    )
    op.create_table(
        "sign_in_challenges",
        *tenant_key_columns(),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        _now("created_at"),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.CheckConstraint("kind IN ('totp', 'enrol')", name="ck_sign_in_challenges_kind"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"], ["memberships.tenant_id", "memberships.user_id"],
            ondelete="CASCADE", name="fk_sign_in_challenges_tenant_id_user_id_memberships",
        ),
    )
    op.create_index("ix_sign_in_challenges_tenant_id_user_id", "sign_in_challenges",
                    ["tenant_id", "user_id"])
    op.create_table(
        "two_factor_policies",
        *tenant_key_columns(),
        sa.Column("require_2fa", sa.String(10), nullable=False, server_default="off"),
        sa.Column("updated_by", UUID(as_uuid=True)),
        _now("created_at"),
        _now("updated_at"),
        sa.CheckConstraint("require_2fa IN ('off', 'admins', 'everyone')",
                           name="ck_two_factor_policies_require_2fa"),
        sa.UniqueConstraint("tenant_id", name="uq_two_factor_policies_tenant_id"),
    )
    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in TENANT_TABLES:
        disable_tenant_rls(table)
        op.drop_table(table)
    op.drop_table("user_recovery_codes")
    op.drop_table("user_totp")
