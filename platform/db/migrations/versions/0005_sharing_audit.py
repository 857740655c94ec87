"""Sharing grants across tenants, ``rapport_granted()`` for RLS policies, the audit log.

Revision ID: 0005_sharing_audit
Revises: 0004_modules

Grants are rows the grantor tenant writes and both tenants read. The policies of shared
plugin tables (``rapport.db.rls.SharedRows``) call ``rapport_granted``; it runs with the
caller's rights (no SECURITY DEFINER), which works because RLS lets the grantee see the
grants made to it. Its body is SQL-standard (``RETURN …``), so names are resolved once,
here, and a caller's search_path cannot redirect it.

The audit log is append-only for the app role: no UPDATE/DELETE privilege or policy.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from rapport.db.migration_helpers import tenant_key_columns

revision = "0005_sharing_audit"
down_revision = "0004_modules"
branch_labels = None
depends_on = None

CURRENT = "rapport_current_tenant()"

GRANTED_FUNCTION = """
CREATE OR REPLACE FUNCTION rapport_granted(
    owner_tenant uuid, record_type text, record_id uuid, section text
) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
-- A NULL section means "any section" (the audit policy uses it for reads that name none);
-- policies built by SharedRows always pass a literal.
RETURN EXISTS (
    SELECT 1 FROM sharing_grants g
    WHERE g.tenant_id = rapport_granted.owner_tenant
      AND g.grantee_tenant_id = rapport_current_tenant()
      AND g.record_type = rapport_granted.record_type
      AND g.record_id = rapport_granted.record_id
      AND (rapport_granted.section IS NULL OR rapport_granted.section = ANY (g.sections))
      AND g.revoked_at IS NULL
      AND g.starts_at <= now() AND now() < g.expires_at
)
"""

REVOCATION_IS_FINAL = """
CREATE OR REPLACE FUNCTION rapport_grant_revocation_is_final() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- A revoked grant stays revoked: its history is evidence, and un-revoking would
    -- silently reopen access.
    IF OLD.revoked_at IS NOT NULL THEN
        RAISE EXCEPTION 'sharing grant % is already revoked', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$
"""

GRANT_POLICIES = (
    "ALTER TABLE sharing_grants ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE sharing_grants FORCE ROW LEVEL SECURITY",
    f"CREATE POLICY grant_parties_read ON sharing_grants FOR SELECT"
    f" USING (tenant_id = {CURRENT} OR grantee_tenant_id = {CURRENT})",
    f"CREATE POLICY grantor_creates ON sharing_grants FOR INSERT"
    f" WITH CHECK (tenant_id = {CURRENT})",
    f"CREATE POLICY grantor_revokes ON sharing_grants FOR UPDATE"
    f" USING (tenant_id = {CURRENT}) WITH CHECK (tenant_id = {CURRENT})",
    # No DELETE policy, and no DELETE privilege: revoking is an update, history is kept.
    # Only the revocation columns may change at all.
    "REVOKE UPDATE, DELETE ON sharing_grants FROM rapport_app",
    "GRANT UPDATE (revoked_at, revoked_by) ON sharing_grants TO rapport_app",
    "CREATE TRIGGER sharing_grants_revocation_is_final BEFORE UPDATE ON sharing_grants"
    " FOR EACH ROW EXECUTE FUNCTION rapport_grant_revocation_is_final()",
)

AUDIT_POLICIES = (
    "ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE audit_events FORCE ROW LEVEL SECURITY",
    f"CREATE POLICY audit_parties_read ON audit_events FOR SELECT"
    f" USING (tenant_id = {CURRENT} OR counterpart_tenant_id = {CURRENT})",
    # The owner tenant logs what happens to its records. A grantee may add exactly one kind
    # of entry to the owner's log: its own user's read of a record granted to it right now
    # (of the section the entry names, when it names one).
    f"""CREATE POLICY audit_append ON audit_events FOR INSERT WITH CHECK (
        (tenant_id = {CURRENT} AND actor_tenant_id = {CURRENT})
        OR (actor_tenant_id = {CURRENT}
            AND counterpart_tenant_id = {CURRENT}
            AND action = 'read'
            AND actor_user_id IS NOT DISTINCT FROM
                nullif(current_setting('rapport.user_id', true), '')::uuid
            AND rapport_granted(tenant_id, record_type, record_id, detail ->> 'section'))
    )""",
    "REVOKE UPDATE, DELETE ON audit_events FROM rapport_app",
)


def _at(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "sharing_grants",
        *tenant_key_columns(),
        sa.Column(
            "grantee_tenant_id",
            UUID(as_uuid=True),
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("record_type", sa.String(100), nullable=False),
        sa.Column("record_id", UUID(as_uuid=True), nullable=False),
        sa.Column("sections", ARRAY(sa.Text), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("evidence", sa.Text),
        sa.Column("granted_by", UUID(as_uuid=True)),
        _at("starts_at"),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_by", UUID(as_uuid=True)),
        _at("created_at"),
        sa.CheckConstraint("expires_at > starts_at", name="ck_sharing_grants_ends_after_start"),
        sa.CheckConstraint("grantee_tenant_id <> tenant_id", name="ck_sharing_grants_not_to_self"),
        sa.CheckConstraint("cardinality(sections) > 0", name="ck_sharing_grants_some_section"),
    )
    # Serves rapport_granted(): every policy check on a shared row is one probe here.
    op.create_index(
        "ix_sharing_grants_tenant_id_record",
        "sharing_grants",
        ["tenant_id", "record_type", "record_id", "grantee_tenant_id"],
    )
    op.execute(GRANTED_FUNCTION)
    op.execute(REVOCATION_IS_FINAL)
    for statement in GRANT_POLICIES:
        op.execute(statement)

    op.create_table(
        "audit_events",
        *tenant_key_columns(),
        _at("at"),
        # Plain ids, no foreign keys: the log outlives the other tenant and the user.
        sa.Column("actor_user_id", UUID(as_uuid=True)),
        sa.Column("actor_tenant_id", UUID(as_uuid=True), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("record_type", sa.String(100), nullable=False),
        sa.Column("record_id", UUID(as_uuid=True), nullable=False),
        sa.Column("changes", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("detail", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("counterpart_tenant_id", UUID(as_uuid=True)),
        sa.CheckConstraint(
            "counterpart_tenant_id IS NULL OR counterpart_tenant_id <> tenant_id",
            name="ck_audit_events_counterpart_is_other",
        ),
    )
    op.create_index(
        "ix_audit_events_tenant_id_record",
        "audit_events",
        ["tenant_id", "record_type", "record_id", "id"],
    )
    # Entries naming a counterpart are few; this small index lets a tenant find those in
    # other tenants' logs (a skip scan over its leading tenant_id) without a table scan.
    op.create_index(
        "ix_audit_events_tenant_id_counterpart",
        "audit_events",
        ["tenant_id", "counterpart_tenant_id", "id"],
        postgresql_where=sa.text("counterpart_tenant_id IS NOT NULL"),
    )
    for statement in AUDIT_POLICIES:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("audit_events")
    op.execute("DROP FUNCTION IF EXISTS rapport_granted(uuid, text, uuid, text)")
    op.drop_table("sharing_grants")
    op.execute("DROP FUNCTION IF EXISTS rapport_grant_revocation_is_final()")
