"""A tenant's rows across every table: found from the catalogue, exported, deleted.

"Every tenant table" is read from PostgreSQL's catalogue, never from a list kept by hand:
each table of the public schema with a ``tenant_id`` column — the kernel's, every plugin's
(installed or since uninstalled: their tables are kept), present and future. The
``tenants`` row itself is the root they all hang from.

Both operations run as the owner role (``rapport tenants export|delete``), in one
transaction with ``rapport.tenant_id`` set, so forced row-level security still applies:
the export reads what the tenant's policies show, filtered by ``tenant_id`` explicitly (the
audit log also shows the entries another tenant wrote about this one; those are theirs).
Deletion removes the ``tenants`` row, which the foreign keys' ``ON DELETE CASCADE``
carry to every table (PostgreSQL runs referential actions past row-level security, so the
append-only audit log goes too), then deletes whatever a table without such a key still
holds, and counts every tenant table again before committing: a row left anywhere rolls
the whole deletion back.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import psycopg
from psycopg import sql

FORMATS = ("jsonl", "csv")
Format = Literal["jsonl", "csv"]
# Rows fetched per round trip while streaming a table out.
BATCH = 2000
# User accounts are platform-wide (one person may belong to several tenants): the export
# carries the members' accounts without their credentials, and deletion removes the
# memberships, not the accounts.
USER_COLUMNS = ("id", "email", "full_name", "created_at", "email_verified_at")

_TENANT_TABLES = """
SELECT c.relname
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public'
   AND c.relkind IN ('r', 'p')
   AND NOT c.relispartition
   AND EXISTS (SELECT 1 FROM pg_attribute a
                WHERE a.attrelid = c.oid AND a.attname = 'tenant_id'
                  AND a.attnum > 0 AND NOT a.attisdropped)
 ORDER BY c.relname
"""


class TenantDataError(RuntimeError):
    """The tenant is unknown, or its deletion would leave rows behind (rolled back)."""


@dataclass
class TableCount:
    table: str
    rows: int


@dataclass
class ExportResult:
    tenant_id: uuid.UUID
    directory: Path
    tables: list[TableCount] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def tenant_tables(conn: psycopg.Connection) -> list[str]:
    """Every table of the public schema with a ``tenant_id`` column, by name."""
    return [name for (name,) in conn.execute(_TENANT_TABLES).fetchall()]


def find_tenant(conn: psycopg.Connection, slug: str) -> uuid.UUID:
    row = conn.execute("SELECT id FROM tenants WHERE slug = %s", (slug,)).fetchone()
    if row is None:
        raise TenantDataError(f"no tenant with slug {slug!r}")
    tenant_id: uuid.UUID = row[0]
    return tenant_id


def _enter(conn: psycopg.Connection, tenant_id: uuid.UUID) -> None:
    conn.execute(
        "SELECT set_config('rapport.tenant_id', %s, true), set_config('rapport.user_id', '', true)",
        (str(tenant_id),),
    )


def count_rows(conn: psycopg.Connection, tenant_id: uuid.UUID) -> dict[str, int]:
    """The tenant's rows in every tenant table (in the caller's transaction)."""
    counts = {}
    for table in tenant_tables(conn):
        query = sql.SQL("SELECT count(*) FROM {} WHERE tenant_id = %s").format(
            sql.Identifier(table)
        )
        row = conn.execute(query, (tenant_id,)).fetchone()
        counts[table] = int(row[0]) if row else 0
    return counts


def _stream(conn: psycopg.Connection, query: sql.SQL | sql.Composed, params: tuple[object, ...],
            ) -> Iterator[tuple[str, dict[str, object]]]:
    """Rows as JSON text and as a mapping, fetched BATCH at a time through a server-side
    cursor: a table of any size passes through in constant memory."""
    with conn.cursor(name=f"export_{uuid.uuid4().hex}") as cursor:
        cursor.itersize = BATCH
        cursor.execute(query, params)
        for (text,) in cursor:
            yield text, json.loads(text)


Write = Callable[[str, dict[str, object]], None]


def _writer(path: Path, fmt: Format) -> tuple[io.TextIOWrapper, Write]:
    out = path.open("w", encoding="utf-8", newline="")
    if fmt == "jsonl":

        def write_line(text: str, _: dict[str, object]) -> None:
            out.write(text + "\n")

        return out, write_line
    table: dict[str, csv.DictWriter[str]] = {}

    def write(_: str, row: dict[str, object]) -> None:
        writer = table.get("w")
        if writer is None:
            writer = table["w"] = csv.DictWriter(out, fieldnames=list(row))
            writer.writeheader()
        writer.writerow({k: v if isinstance(v, str | int | float | None) else json.dumps(v)
                         for k, v in row.items()})

    return out, write


def export_tenant(
    conn: psycopg.Connection,
    tenant_id: uuid.UUID,
    directory: Path,
    fmt: Format = "jsonl",
    on_rows: Callable[[str, int], None] = lambda table, n: None,
) -> ExportResult:
    """Write the tenant's rows, one file per table (``<table>.jsonl`` or ``.csv``), its
    ``tenants`` row and its members' accounts, and a ``manifest.json`` with the counts.

    One REPEATABLE READ transaction: every file shows the same moment. Tables where the
    tenant has no rows get no file. ``on_rows(table, n)`` reports progress.
    """
    directory.mkdir(parents=True, exist_ok=True)
    result = ExportResult(tenant_id, directory)
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    with conn.transaction():
        _enter(conn, tenant_id)
        members_accounts = sql.SQL(
            "SELECT row_to_json(u)::text FROM (SELECT {} FROM users WHERE id IN "
            "(SELECT user_id FROM memberships WHERE tenant_id = %s) ORDER BY id) u"
        ).format(sql.SQL(", ").join(sql.Identifier(c) for c in USER_COLUMNS))
        sources: list[tuple[str, sql.SQL | sql.Composed]] = [
            ("tenants", sql.SQL(
                "SELECT row_to_json(t)::text FROM tenants t WHERE id = %s")),
            ("users", members_accounts),
        ]
        for table in tenant_tables(conn):
            sources.append((table, sql.SQL(
                "SELECT row_to_json(t)::text FROM {} t WHERE tenant_id = %s"
            ).format(sql.Identifier(table))))
        for table, query in sources:
            path = directory / f"{table}.{fmt}"
            out, write = _writer(path, fmt)
            rows = 0
            with out:
                for text, row in _stream(conn, query, (tenant_id,)):
                    write(text, row)
                    rows += 1
                    if rows % BATCH == 0:
                        on_rows(table, BATCH)
            on_rows(table, rows % BATCH)
            if rows:
                result.tables.append(TableCount(table, rows))
            else:
                path.unlink()
    conn.read_only = False
    conn.isolation_level = None
    manifest = {
        "tenant_id": str(tenant_id),
        "format": fmt,
        "tables": {t.table: t.rows for t in result.tables},
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return result


def delete_tenant(conn: psycopg.Connection, tenant_id: uuid.UUID) -> dict[str, int]:
    """Remove every row of the tenant, in one transaction; return the rows each table held.

    Raises TenantDataError (and rolls back) if any tenant table still holds a row of it.
    """
    with conn.transaction():
        _enter(conn, tenant_id)
        before = {t: n for t, n in count_rows(conn, tenant_id).items() if n}
        conn.execute("DELETE FROM tenants WHERE id = %s", (tenant_id,))
        for table, n in count_rows(conn, tenant_id).items():
            if n:  # no cascading key to the tenant: delete what its policies let us
                conn.execute(
                    sql.SQL("DELETE FROM {} WHERE tenant_id = %s").format(sql.Identifier(table)),
                    (tenant_id,),
                )
        left = {t: n for t, n in count_rows(conn, tenant_id).items() if n}
        if left:
            raise TenantDataError(
                "deletion rolled back: rows would remain in "
                + ", ".join(f"{t} ({n})" for t, n in sorted(left.items()))
            )
    return before
