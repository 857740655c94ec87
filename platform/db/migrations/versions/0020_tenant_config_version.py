"""A tenant's configuration version: ``tenants.config_version`` goes up with every write to
the tenant's field definitions or contact settings (row triggers), so each app process
can keep them in memory and check, for free, that its copy is current — authentication
already reads the tenant's row on every request.

Revision ID: 0020_tenant_config_version
Revises: 0019_accounts, 0019_login_throttle (joins the kernel's two heads)

The triggers run with the writer's rights: RLS has already limited the rows written to
the writer's tenant, and the app role may update ``tenants`` (a global table, no RLS).

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_tenant_config_version"
down_revision = ("0019_accounts", "0019_login_throttle")
branch_labels = None
depends_on = None

TABLES = ("field_definitions", "contact_settings")

BUMP = """
CREATE FUNCTION rapport_bump_config_version() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public
AS $$
BEGIN
    UPDATE tenants SET config_version = config_version + 1
     WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END;
    IF TG_OP = 'UPDATE' AND OLD.tenant_id IS DISTINCT FROM NEW.tenant_id THEN
        UPDATE tenants SET config_version = config_version + 1 WHERE id = OLD.tenant_id;
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.add_column(
        "tenants",
        sa.Column("config_version", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.execute(BUMP)
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_config_version AFTER INSERT OR UPDATE OR DELETE"
            f" ON {table} FOR EACH ROW EXECUTE FUNCTION rapport_bump_config_version()"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_config_version ON {table}")
    op.execute("DROP FUNCTION rapport_bump_config_version()")
    op.drop_column("tenants", "config_version")
