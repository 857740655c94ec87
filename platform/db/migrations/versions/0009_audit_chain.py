"""Hash-chain the audit log: each tenant's entries carry seq, prev_hash and hash.

The chain is sealed at commit by a deferred constraint trigger, so the per-tenant head
lock is held only while a transaction commits, not for its whole duration. The head
table is reachable only by the owner role (the trigger runs SECURITY DEFINER); the app
role can neither read nor write it, nor update or delete audit rows.

Revision ID: 0009_audit_chain
Revises: 0005_sharing_audit
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0009_audit_chain"
down_revision = "0005_sharing_audit"
branch_labels = None
depends_on = None

# The text each hash covers; ``rapport audit verify`` recomputes the hash over exactly this
# (rapport.core.audit.chain.CANONICAL_SQL is the same expression).
CANONICAL = """concat_ws('|',
    e.tenant_id::text, e.id::text, e.seq::text,
    to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
    coalesce(e.actor_user_id::text, ''), e.actor_tenant_id::text, e.action, e.record_type,
    e.record_id::text, e.changes::text, e.detail::text,
    coalesce(e.counterpart_tenant_id::text, ''))"""


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("seq", sa.BigInteger))
    op.add_column("audit_events", sa.Column("prev_hash", sa.String(64)))
    op.add_column("audit_events", sa.Column("hash", sa.String(64)))
    op.create_index(
        "uq_audit_events_tenant_id_seq", "audit_events", ["tenant_id", "seq"], unique=True
    )
    op.create_table(
        "audit_chain_heads",
        sa.Column(
            "tenant_id",
            UUID(as_uuid=True),
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("id", UUID(as_uuid=True), primary_key=True,
                  server_default=sa.text("gen_random_uuid()")),
        sa.Column("seq", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("last_hash", sa.String(64), nullable=False, server_default=""),
        sa.UniqueConstraint("tenant_id"),
    )
    op.execute("REVOKE ALL ON audit_chain_heads FROM rapport_app")
    op.execute("ALTER TABLE audit_chain_heads ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE audit_chain_heads FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY chain_keeper ON audit_chain_heads TO rapport_owner USING (true) "
        "WITH CHECK (true)"
    )
    # Only the sealing function (running as the owner) fills in the chain columns.
    op.execute(
        "CREATE POLICY audit_seal ON audit_events FOR UPDATE TO rapport_owner "
        "USING (true) WITH CHECK (true)"
    )
    op.execute(
        f"""
        CREATE FUNCTION rapport_audit_seal() RETURNS trigger
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
                   hash = encode(sha256(convert_to(head_hash || '|' || {CANONICAL}, 'UTF8')),
                                 'hex')
             WHERE tenant_id = e.tenant_id AND id = e.id
            RETURNING hash INTO head_hash;
            UPDATE audit_chain_heads SET seq = e.seq, last_hash = head_hash
             WHERE tenant_id = NEW.tenant_id;
            RETURN NULL;
        END $$
        """  # noqa: S608 - a constant expression, no input
    )
    op.execute("REVOKE ALL ON FUNCTION rapport_audit_seal() FROM PUBLIC")
    op.execute(
        "CREATE CONSTRAINT TRIGGER audit_events_seal AFTER INSERT ON audit_events "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rapport_audit_seal()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_events_seal ON audit_events")
    op.execute("DROP FUNCTION IF EXISTS rapport_audit_seal()")
    op.execute("DROP POLICY IF EXISTS audit_seal ON audit_events")
    op.drop_table("audit_chain_heads")
    op.drop_index("uq_audit_events_tenant_id_seq", table_name="audit_events")
    for column in ("hash", "prev_hash", "seq"):
        op.drop_column("audit_events", column)
