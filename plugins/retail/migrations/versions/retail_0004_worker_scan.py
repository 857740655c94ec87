"""Retail: which tenants the worker serves (expiry, birthdays).

Revision ID: retail_0004

RLS hides every tenant's rows from a worker with no tenant context. This function answers
only "which tenants enabled retail" (after a cursor, so passes rotate through all of them),
never their data; the policy lets the function's owner read those rows of
``tenant_modules`` and nothing else.
"""

from alembic import op

revision = "retail_0004"
down_revision = "retail_0003"
branch_labels = None
depends_on = "0004_modules"


def upgrade() -> None:
    op.execute("CREATE POLICY retail_worker_scan ON tenant_modules FOR SELECT "
               "TO rapport_owner USING (name = 'retail' AND enabled)")
    op.execute(
        """
        CREATE FUNCTION retail_worker_tenants(after_tenant uuid, max_tenants integer)
        RETURNS SETOF uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
            SELECT tenant_id FROM tenant_modules
            WHERE name = 'retail' AND enabled
              AND (after_tenant IS NULL OR tenant_id > after_tenant)
            ORDER BY tenant_id
            LIMIT max_tenants
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION retail_worker_tenants(uuid, integer) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION retail_worker_tenants(uuid, integer) TO rapport_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS retail_worker_tenants(uuid, integer)")
    op.execute("DROP POLICY IF EXISTS retail_worker_scan ON tenant_modules")
