"""API clients (OAuth 2 client credentials) and audit entries attributed to them.

Revision ID: 0032_api_clients
Revises: 0031_line_categories

- ``api_clients``: a tenant's machine callers — name, scopes, a keyed SHA-256 of the secret,
  ``secret_version`` (raised by each rotation; tokens carry it, so a rotated-away secret's
  tokens stop at once) and ``revoked_at``;
  (the OAuth client id is ``<tenant id>.<client id>``, so the token endpoint enters the
  tenant first and finds the client by its primary key);
- ``audit_events.actor_client_id``: the API client an entry's action was done by (sign-in
  entries of a client, every write of a client token). The chain's canonical text gains the
  column at its end, through ``concat_ws``, which skips NULL: entries without a client hash
  exactly as before, so existing chains still verify.

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

revision = "0032_api_clients"
down_revision = "0031_line_categories"
branch_labels = None
depends_on = None

# 0009_audit_chain's CANONICAL with actor_client_id appended (NULL is skipped by concat_ws).
CANONICAL = """concat_ws('|',
    e.tenant_id::text, e.id::text, e.seq::text,
    to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
    coalesce(e.actor_user_id::text, ''), e.actor_tenant_id::text, e.action, e.record_type,
    e.record_id::text, e.changes::text, e.detail::text,
    coalesce(e.counterpart_tenant_id::text, ''), e.actor_client_id::text)"""

OLD_CANONICAL = """concat_ws('|',
    e.tenant_id::text, e.id::text, e.seq::text,
    to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
    coalesce(e.actor_user_id::text, ''), e.actor_tenant_id::text, e.action, e.record_type,
    e.record_id::text, e.changes::text, e.detail::text,
    coalesce(e.counterpart_tenant_id::text, ''))"""


def _seal_function(canonical: str) -> str:
    return f"""
        CREATE OR REPLACE FUNCTION rapport_audit_seal() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
        DECLARE
            head_seq bigint;
            head_hash text;
            e audit_events%ROWTYPE;
        BEGIN
            INSERT INTO audit_chain_heads (tenant_id) VALUES (NEW.tenant_id)
                ON CONFLICT (tenant_id) DO NOTHING;
            SELECT seq, last_hash INTO head_seq, head_hash
                FROM audit_chain_heads WHERE tenant_id = NEW.tenant_id FOR UPDATE;
            SELECT * INTO e FROM audit_events WHERE tenant_id = NEW.tenant_id AND id = NEW.id;
            e.seq := head_seq + 1;
            UPDATE audit_events
               SET seq = e.seq,
                   prev_hash = head_hash,
                   hash = encode(sha256(convert_to(head_hash || '|' || {canonical}, 'UTF8')),
                                 'hex')
             WHERE tenant_id = e.tenant_id AND id = e.id
            RETURNING hash INTO head_hash;
            UPDATE audit_chain_heads SET seq = e.seq, last_hash = head_hash
             WHERE tenant_id = NEW.tenant_id;
            RETURN NULL;
        END $$
        """  # noqa: S608 - a constant expression, no input


def upgrade() -> None:
    op.create_table(
        "api_clients",
        *tenant_key_columns(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("scopes", ARRAY(sa.String(120)), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("secret_version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_by", UUID(as_uuid=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    enable_tenant_rls("api_clients")

    op.add_column("audit_events", sa.Column("actor_client_id", UUID(as_uuid=True)))
    op.execute(_seal_function(CANONICAL))


def downgrade() -> None:
    op.execute(_seal_function(OLD_CANONICAL))
    op.drop_column("audit_events", "actor_client_id")
    disable_tenant_rls("api_clients")
    op.drop_table("api_clients")
