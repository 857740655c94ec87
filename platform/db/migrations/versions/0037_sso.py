"""Single sign-on per tenant (OpenID Connect, issue 22 part A).

Revision ID: 0037_sso
Revises: 0034_two_factor

- ``sso_configs``: one row per tenant — the provider's issuer, the client id, the client
  secret encrypted with a key derived from the deployment's secret key, the allowed e-mail
  domains, the provisioning mode and default role, and whether SSO is required;
- ``sso_identities``: (tenant, issuer, subject) -> a member of that tenant; deleted with
  the membership, so a removed member's identity no longer signs in;
- ``sso_logins``: the server-side half of a sign-in under way (state, nonce and PKCE
  verifier, hashed state and browser binding), used once and short-lived;
- ``sso_sessions``: which of the tenant's sessions were opened by an SSO sign-in (they may
  not act on the person's other tenants); deleted with the session.

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from rapport.db.migration_helpers import (
    disable_tenant_rls,
    enable_tenant_rls,
    tenant_key_columns,
)

revision = "0037_sso"
down_revision = "0034_two_factor"
branch_labels = None
depends_on = None

TABLES = ("sso_sessions", "sso_logins", "sso_identities", "sso_configs")
STAMP = sa.DateTime(timezone=True)


def _created() -> sa.Column:
    return sa.Column("created_at", STAMP, server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "sso_configs",
        *tenant_key_columns(),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("client_secret", sa.Text),
        sa.Column("display_name", sa.String(80), nullable=False),
        sa.Column("allowed_domains", ARRAY(sa.String(253)), nullable=False),
        sa.Column("provisioning", sa.String(20), nullable=False),
        sa.Column("default_role", sa.String(40), nullable=False),
        sa.Column("require_sso", sa.Boolean, nullable=False, server_default=sa.false()),
        _created(),
        sa.Column("updated_at", STAMP, server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("tenant_id"),
        sa.CheckConstraint("provisioning IN ('jit', 'invited')", name="provisioning"),
    )
    op.create_table(
        "sso_identities",
        *tenant_key_columns(),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        _created(),
        sa.Column("last_sign_in_at", STAMP),
        sa.ForeignKeyConstraint(["tenant_id", "user_id"],
                                ["memberships.tenant_id", "memberships.user_id"],
                                ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "issuer", "subject"),
    )
    op.create_index("ix_sso_identities_tenant_id_user_id", "sso_identities",
                    ["tenant_id", "user_id"])
    op.create_table(
        "sso_logins",
        *tenant_key_columns(),
        sa.Column("state_hash", sa.String(64), nullable=False),
        sa.Column("browser_hash", sa.String(64), nullable=False),
        sa.Column("nonce", sa.String(100), nullable=False),
        sa.Column("code_verifier", sa.String(128), nullable=False),
        sa.Column("next_path", sa.String(500), nullable=False, server_default="/"),
        sa.Column("expires_at", STAMP, nullable=False),
        _created(),
        sa.UniqueConstraint("tenant_id", "state_hash"),
    )
    op.create_index("ix_sso_logins_tenant_id_expires_at", "sso_logins",
                    ["tenant_id", "expires_at"])
    op.create_table(
        "sso_sessions",
        *tenant_key_columns(),
        sa.Column("identity_id", UUID(as_uuid=True), nullable=False),
        _created(),
        sa.ForeignKeyConstraint(["tenant_id", "id"],
                                ["auth_sessions.tenant_id", "auth_sessions.id"],
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id", "identity_id"],
                                ["sso_identities.tenant_id", "sso_identities.id"],
                                ondelete="CASCADE"),
    )
    op.create_index("ix_sso_sessions_tenant_id_identity_id", "sso_sessions",
                    ["tenant_id", "identity_id"])
    for table in reversed(TABLES):
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in TABLES:
        disable_tenant_rls(table)
        op.drop_table(table)
