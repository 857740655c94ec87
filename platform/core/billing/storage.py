"""How much storage a tenant uses, against the plan's ``storage_mb``: the bytes of its stored
files (every ``bytea`` column of a tenant table: documents, attachments), exactly, plus its
share of each tenant table's rows and indexes, estimated from PostgreSQL's own statistics.

Cheap on purpose: one catalogue query finds the tables, one statement counts the tenant's
rows in each (an index-only scan of the ``(tenant_id, id)`` key) and sums its files'
lengths (``octet_length`` reads the stored length, never the value). See docs/billing.md.
"""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

MIB = 1 << 20

# Tenant tables this session may read (RLS then keeps them to the current tenant), with
# their size on disk without TOAST (rows + indexes), PostgreSQL's row estimate, and their
# bytea columns (whose values live mostly in TOAST and are counted exactly instead).
_TABLES = text("""
    SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name,
           pg_relation_size(c.oid) + pg_indexes_size(c.oid) AS size,
           c.reltuples::bigint AS estimate,
           coalesce((SELECT array_agg(quote_ident(b.attname) ORDER BY b.attnum)
                     FROM pg_attribute b
                     WHERE b.attrelid = c.oid AND b.atttypid = 'bytea'::regtype
                       AND b.attnum > 0 AND NOT b.attisdropped), '{}') AS files
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
    WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(current_schemas(false))
      AND NOT c.relispartition AND has_table_privilege(c.oid, 'SELECT')
    ORDER BY n.nspname, c.relname
""")


async def storage_bytes(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    """The tenant's files' bytes plus its rows' share of their tables' size."""
    tables = (await session.execute(_TABLES)).all()
    if not tables:
        return 0
    parts = []
    for index, table in enumerate(tables):
        files = " + ".join(f"coalesce(sum(octet_length({c})), 0)" for c in table.files)
        # Names come from the catalogue, quoted there by quote_ident; the tenant is bound.
        parts.append(f"SELECT {index} AS i, count(*) AS n, {files or '0'} AS b "  # noqa: S608
                     f"FROM {table.name} WHERE tenant_id = :tenant")
    counted = (await session.execute(text(" UNION ALL ".join(parts)),
                                     {"tenant": tenant_id})).all()
    total = 0
    for row in counted:
        table = tables[row.i]
        if row.n:
            # Never analysed (estimate -1) or stale: the tenant's rows are at least its own.
            total += int(table.size) * int(row.n) // max(int(table.estimate), int(row.n))
        total += int(row.b)
    return total


def in_mb(size: int) -> int:
    """Whole megabytes, rounded up: any stored byte uses some of the plan's room."""
    return -(-size // MIB)
