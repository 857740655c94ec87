"""Frozen helpers for Alembic revisions, the kernel's and the plugins'.

Revisions depend on this module, and a revision is history: what it creates must not
change when the application does. So this module only ever gains functions — never
change or remove one; when a revision needs something different, add a new function
beside the old one (``enable_tenant_rls_v2``) and leave the old one as it is. It imports
nothing from the application, only Alembic and SQLAlchemy.

- ``tenant_key_columns()``: the ``(tenant_id, id)`` primary key every tenant table starts with.
- ``enable_tenant_rls("contacts")``: enables *and forces* row-level security with the one
  tenant policy (``app_role`` tables are granted by default privileges set in the first
  kernel migration). A plugin table whose rows another tenant may read under a sharing
  grant opts in with ``shared=SharedRows(...)``: a second, SELECT-only policy admits rows
  covered by an active grant (``rapport_granted``, created by kernel migration 0005), while
  every write stays confined to the owner tenant. ``tenant_rls_statements`` returns the
  same SQL for tests.
- ``sync_field_values(table, entity)``: the triggers that keep the custom-field value
  index in step with an entity table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.sql import quoted_name

POLICY = "tenant_isolation"
SHARED_POLICY = "tenant_shared_read"
CURRENT_TENANT = "rapport_current_tenant()"

# These names end up as SQL literals inside policies, so only this alphabet is allowed.
RECORD_TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}\.[a-z][a-z0-9_]{0,59}$")
SECTION_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _ident(name: str) -> str:
    # Table names come from migration code, never from input; quote them anyway.
    return '"' + quoted_name(name, quote=True).replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class SharedRows:
    """Which granted record a row belongs to, and which grantable section it is part of.

    ``record_type`` is the sharing rule's ``"<plugin>.<kind>"``; ``record_id_column`` the
    column holding that record's id (``"id"`` on the record's own table); ``section`` one
    of the rule's sections. A grant covering (owner tenant, record, section) admits the row.
    """

    record_type: str
    record_id_column: str
    section: str

    def __post_init__(self) -> None:
        if not RECORD_TYPE_PATTERN.match(self.record_type):
            raise ValueError(f"record_type {self.record_type!r}: expected '<plugin>.<kind>'")
        if not SECTION_PATTERN.match(self.section):
            raise ValueError(f"section {self.section!r}: lowercase letters, digits, '_'")
        if not self.record_id_column or "\x00" in self.record_id_column:
            raise ValueError("record_id_column: a column name is required")

    def granted_sql(self) -> str:
        return (
            f"rapport_granted(tenant_id, {_literal(self.record_type)}, "
            f"{_ident(self.record_id_column)}, {_literal(self.section)})"
        )


def tenant_rls_statements(
    table: str, *, shared: SharedRows | None = None, extra_using: str | None = None
) -> list[str]:
    """The SQL ``enable_tenant_rls`` runs, in order (idempotent: policies are replaced).

    The first policy covers every command and confines reads and writes to the current
    tenant. Reads widened by ``shared`` (or the older free-form ``extra_using``) get their
    own ``FOR SELECT`` policy: permissive policies are OR-ed per command, so the extra
    rows become readable while UPDATE and DELETE, which consult only policies for their
    own command, still see the owner tenant's rows alone.
    """
    t = _ident(table)
    own = f"tenant_id = {CURRENT_TENANT}"
    statements = [
        f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY} ON {t}",
        f"DROP POLICY IF EXISTS {SHARED_POLICY} ON {t}",
        f"CREATE POLICY {POLICY} ON {t} USING ({own}) WITH CHECK ({own})",
    ]
    wider = [f"({clause})" for clause in (shared and shared.granted_sql(), extra_using) if clause]
    if wider:
        statements.append(
            f"CREATE POLICY {SHARED_POLICY} ON {t} FOR SELECT USING ({' OR '.join(wider)})"
        )
    return statements


def enable_tenant_rls(
    table: str, *, shared: SharedRows | None = None, extra_using: str | None = None
) -> None:
    """Force RLS on ``table`` with ``tenant_id = rapport_current_tenant()``.

    ``shared`` (or a raw ``extra_using`` expression) widens *reads only*, e.g. to rows
    covered by a sharing grant; writes stay confined to the current tenant.
    """
    for statement in tenant_rls_statements(table, shared=shared, extra_using=extra_using):
        op.execute(statement)


def disable_tenant_rls(table: str) -> None:
    t = _ident(table)
    op.execute(f"DROP POLICY IF EXISTS {SHARED_POLICY} ON {t}")
    op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {t}")
    op.execute(f"ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {t} DISABLE ROW LEVEL SECURITY")


def tenant_key_columns() -> list[sa.Column]:
    """``tenant_id`` (deleted with its tenant) and ``id``: the primary key ``(tenant_id, id)``
    of a tenant table, as the first two columns of ``op.create_table``."""
    return [
        sa.Column(
            "tenant_id",
            UUID(as_uuid=True),
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
    ]


_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def sync_field_values(table: str, entity: str) -> None:
    """Keep the ``field_values`` index in step with ``table``'s records of ``entity``.

    The table needs ``tenant_id``, ``id`` and a jsonb ``fields`` column; add a row to
    ``field_entities`` for it as well. Call from the migration that creates the table.
    """
    if not (_FIELD_NAME.match(table) and _FIELD_NAME.match(entity)):
        raise ValueError("table and entity must be lower-case names")
    for event, refs in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ):
        op.execute(
            f'CREATE TRIGGER "{table}_field_values_{event.lower()}" AFTER {event} ON "{table}" '
            f"REFERENCING {refs} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION rapport_sync_field_values('{entity}')"
        )
