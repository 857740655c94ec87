"""Let the worker find tenants with promise alerts to send.

Revision ID: dealership_0003
Revises: dealership_0002

Forced RLS hides every tenant's promises from a function running with no tenant context,
even as the table's owner; as for the kernel's task reminders, a SELECT policy for the
owner role admits exactly the rows that may need an alert, and the function answers only
"which tenants", never the promises. Whether a tenant enabled the module is checked by the
worker in that tenant's context.
"""

from alembic import op

revision = "dealership_0003"
down_revision = "dealership_0002"
branch_labels = None
depends_on = None

PENDING = "status = 'open' AND reminded_overdue_at IS NULL"


def upgrade() -> None:
    op.execute(
        """
        CREATE OR REPLACE FUNCTION dealership_due_tenants(n integer) RETURNS SETOF uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
            SELECT DISTINCT tenant_id FROM dealership_promises
            WHERE status = 'open' AND reminded_overdue_at IS NULL
              AND due_at <= now() + interval '31 days'
            LIMIT n
        $$
        """
    )
    op.execute(f"CREATE POLICY dealership_due_scan ON dealership_promises FOR SELECT "
               f"TO rapport_owner USING ({PENDING})")
    op.execute("REVOKE ALL ON FUNCTION dealership_due_tenants(integer) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION dealership_due_tenants(integer) TO rapport_app")


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS dealership_due_scan ON dealership_promises")
