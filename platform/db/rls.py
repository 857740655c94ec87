"""Migration helpers that make the right thing the easy thing for tenant tables.

``enable_tenant_rls("contacts")`` enables *and forces* row-level security with the
one tenant policy; ``app_role`` tables are granted by default privileges set in the
first kernel migration.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy.sql import quoted_name

POLICY = "tenant_isolation"
CURRENT_TENANT = "rapport_current_tenant()"


def _ident(name: str) -> str:
    # Table names come from migration code, never from input; quote them anyway.
    return '"' + quoted_name(name, quote=True).replace('"', '""') + '"'


def enable_tenant_rls(table: str, *, extra_using: str | None = None) -> None:
    """Force RLS on ``table`` with ``tenant_id = rapport_current_tenant()``.

    ``extra_using`` widens *reads only* (e.g. rows covered by a sharing grant); writes
    stay confined to the current tenant by the WITH CHECK clause.
    """
    t = _ident(table)
    using = f"tenant_id = {CURRENT_TENANT}"
    if extra_using:
        using = f"({using}) OR ({extra_using})"
    op.execute(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY")
    op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {t}")
    op.execute(
        f"CREATE POLICY {POLICY} ON {t} USING ({using}) WITH CHECK (tenant_id = {CURRENT_TENANT})"
    )


def disable_tenant_rls(table: str) -> None:
    t = _ident(table)
    op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {t}")
    op.execute(f"ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {t} DISABLE ROW LEVEL SECURITY")
