"""The console's own table and one lookup.

Revision ID: console_0001
Depends on: 0019_accounts (memberships with accepted_at)

``console_preferences``: the language a member chose (``user_id`` set) and the tenant's
default language (``user_id`` NULL), under the tenant policy like every tenant table.

``rapport_console_my_tenants()``: the organizations the signed-in person belongs to, for
the tenant switcher. Memberships of other tenants are hidden by RLS, so this SECURITY
DEFINER function answers exactly that list — for the user of the current transaction
(``rapport.user_id``, set from the verified session), names and slugs only.

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "console_0001"
down_revision = None
branch_labels = ("console",)
depends_on = "0019_accounts"

CURRENT = "rapport_current_tenant()"

MY_TENANTS = """
CREATE FUNCTION rapport_console_my_tenants()
RETURNS TABLE (slug text, name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT t.slug::text, t.name::text
    FROM memberships m JOIN tenants t ON t.id = m.tenant_id
    WHERE m.user_id = nullif(current_setting('rapport.user_id', true), '')::uuid
      AND m.accepted_at IS NOT NULL AND t.status = 'active'
    ORDER BY t.name, t.slug
    LIMIT 200
$$
"""


def upgrade() -> None:
    op.create_table(
        "console_preferences",
        sa.Column(
            "tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="CASCADE")),
        sa.Column("locale", sa.String(10), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    # One row per member, and one tenant default (user_id NULL).
    op.execute(
        "CREATE UNIQUE INDEX uq_console_preferences_tenant_id_user_id"
        " ON console_preferences (tenant_id, user_id) NULLS NOT DISTINCT"
    )
    op.execute("ALTER TABLE console_preferences ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE console_preferences FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY tenant_isolation ON console_preferences"
        f" USING (tenant_id = {CURRENT}) WITH CHECK (tenant_id = {CURRENT})"
    )
    op.execute(MY_TENANTS)
    op.execute("REVOKE ALL ON FUNCTION rapport_console_my_tenants() FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION rapport_console_my_tenants() TO rapport_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION rapport_console_my_tenants()")
    op.drop_table("console_preferences")
