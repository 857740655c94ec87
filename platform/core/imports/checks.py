"""Checks over the whole staged file that need the database or other rows, set-based:

- a key repeated further down: the earlier rows are left out (the last row wins);
- an address that belongs to another contact, or that two rows for different contacts
  both give; an ``external_id`` likewise when rows are matched by email;
- a row that would create a contact but lacks what a new contact needs (a required
  field; a name, email or phone);
- an ``owner_id`` that is not a member; a reference field naming no record of the tenant.

Rows found wrong are marked ``invalid`` in the staging table, so ``--skip-invalid`` can
leave them out; each finding is a per-row error like the ones found in Python.
"""

# Statements are assembled from constants (table and column names); every value is bound.
# ruff: noqa: S608

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import quoted_name

from rapport.core.fields.definitions import FieldDefinition, FieldType
from rapport.core.fields.entities import known_entities
from rapport.core.fields.types import reference_targets
from rapport.core.imports.columns import FIELD_PREFIX, Key
from rapport.core.imports.staging import ROWS

PROBLEMS = "import_problems"


def target(key: Key, alias: str = "r") -> str:
    """SQL for the id of the contact a staged row updates (NULL: it creates one)."""
    if key == "external_id":
        return (f"(SELECT c.id FROM contacts c WHERE c.tenant_id = :tenant "
                f"AND c.external_id = {alias}.key AND c.deleted_at IS NULL)")
    return (f"(SELECT ce.contact_id FROM contact_emails ce WHERE ce.tenant_id = :tenant "
            f"AND ce.address_key = {alias}.key)")


@dataclass
class Findings:
    duplicates: int = 0
    invalid_rows: int = 0
    error_count: int = 0
    # (row number as counted in the file, target column, message), the first ones.
    errors: list[tuple[int, str, str]] = field(default_factory=list)


def _address_checks(key: Key) -> list[str]:
    column = "CASE WHEN e.ord = 1 AND r.doc ? 'pe' THEN 'email' ELSE 'emails' END"
    return [
        f"""
        INSERT INTO {PROBLEMS} (n, col, message)
        SELECT r.n, {column}, 'address ' || e.key || ' already belongs to another contact'
        FROM {ROWS} r
        CROSS JOIN LATERAL jsonb_array_elements_text(r.doc -> 'k') WITH ORDINALITY e(key, ord)
        JOIN contact_emails ce ON ce.tenant_id = :tenant AND ce.address_key = e.key
        WHERE r.skip IS NULL AND ce.contact_id IS DISTINCT FROM {target(key)}
        """,
        f"""
        INSERT INTO {PROBLEMS} (n, col, message)
        SELECT x.n, x.col, 'address ' || x.key || ' is also given in row ' || (x.first_n + 1)
        FROM (
            SELECT r.n, r.key AS row_key, e.key, {column} AS col,
                   first_value(r.n) OVER w AS first_n, first_value(r.key) OVER w AS first_key
            FROM {ROWS} r
            CROSS JOIN LATERAL jsonb_array_elements_text(r.doc -> 'k')
                WITH ORDINALITY e(key, ord)
            WHERE r.skip IS NULL
            WINDOW w AS (PARTITION BY e.key ORDER BY r.n)
        ) x
        WHERE x.row_key <> x.first_key
        """,
    ]


def _external_id_checks(key: Key) -> list[str]:
    if key != "email":
        return []  # matched by external_id: a repeated one is a duplicate row
    external = "(r.doc -> 'v' ->> 'external_id')"
    return [
        f"""
        INSERT INTO {PROBLEMS} (n, col, message)
        SELECT r.n, 'external_id', 'external_id ' || {external}
               || ' already belongs to another contact'
        FROM {ROWS} r JOIN contacts c ON c.tenant_id = :tenant AND c.external_id = {external}
             AND c.deleted_at IS NULL
        WHERE r.skip IS NULL AND c.id IS DISTINCT FROM {target(key)}
        """,
        f"""
        INSERT INTO {PROBLEMS} (n, col, message)
        SELECT x.n, 'external_id', 'external_id is also given in row ' || (x.first_n + 1)
        FROM (
            SELECT r.n, r.key AS row_key, first_value(r.n) OVER w AS first_n,
                   first_value(r.key) OVER w AS first_key
            FROM {ROWS} r
            WHERE r.skip IS NULL AND r.doc -> 'v' ? 'external_id'
            WINDOW w AS (PARTITION BY {external} ORDER BY r.n)
        ) x
        WHERE x.row_key <> x.first_key
        """,
    ]


def _row_checks(key: Key) -> list[str]:
    return [
        f"""
        INSERT INTO {PROBLEMS} (n, col, message)
        SELECT r.n, r.doc -> 'cp' ->> 0, r.doc -> 'cp' ->> 1
        FROM {ROWS} r
        WHERE r.skip IS NULL AND r.doc ? 'cp' AND {target(key)} IS NULL
        """,
        f"""
        INSERT INTO {PROBLEMS} (n, col, message)
        SELECT r.n, 'owner_id', 'must be the user id of a member of this organization'
        FROM {ROWS} r
        WHERE r.skip IS NULL AND r.doc -> 'v' ? 'owner_id'
          AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = :tenant
                          AND m.user_id = (r.doc -> 'v' ->> 'owner_id')::uuid)
        """,
    ]


async def _reference_checks(
    session: AsyncSession, tenant_id: uuid.UUID, definitions: Sequence[FieldDefinition]
) -> None:
    references = [d for d in definitions if d.type == FieldType.REFERENCE and d.computed is None]
    if not references:
        return
    tables = await known_entities(session)
    for d in references:
        for entity in reference_targets(d):
            table = tables.get(entity)
            if table is None:
                continue
            # The table name comes from the migration-owned allow-list, quoted anyway.
            name = '"' + quoted_name(table, quote=True).replace('"', '""') + '"'
            value = "(r.doc -> 'f' -> :field)"
            await session.execute(
                text(f"""
                INSERT INTO {PROBLEMS} (n, col, message)
                SELECT r.n, :column, 'no ' || :entity || ' with id ' || ({value} ->> 'id')
                FROM {ROWS} r
                WHERE r.skip IS NULL AND {value} ->> 'type' = :entity
                  AND NOT EXISTS (SELECT 1 FROM {name} x WHERE x.tenant_id = :tenant
                                  AND x.id = ({value} ->> 'id')::uuid)
                """),
                {"tenant": tenant_id, "field": d.full_key, "entity": entity,
                 "column": FIELD_PREFIX + d.full_key},
            )


async def run(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    key: Key,
    definitions: Sequence[FieldDefinition],
    *,
    keep: int,
) -> Findings:
    """Mark duplicates and invalid rows in the staging table; the first ``keep`` errors."""
    found = Findings()
    params = {"tenant": tenant_id}
    duplicates = await session.execute(text(f"""
        UPDATE {ROWS} r SET skip = 'duplicate'
        FROM (SELECT n, row_number() OVER (PARTITION BY key ORDER BY n DESC) AS rank
              FROM {ROWS}) d
        WHERE d.n = r.n AND d.rank > 1
    """))
    found.duplicates = duplicates.rowcount  # type: ignore[attr-defined]
    await session.execute(text(f"DROP TABLE IF EXISTS {PROBLEMS}"))
    await session.execute(
        text(f"CREATE TEMPORARY TABLE {PROBLEMS} (n integer, col text, message text)")
    )
    for statement in [*_address_checks(key), *_external_id_checks(key), *_row_checks(key)]:
        await session.execute(text(statement), params)
    await _reference_checks(session, tenant_id, definitions)
    invalid = await session.execute(text(
        f"UPDATE {ROWS} SET skip = 'invalid' WHERE skip IS NULL "
        f"AND n IN (SELECT n FROM {PROBLEMS})"
    ))
    found.invalid_rows = invalid.rowcount  # type: ignore[attr-defined]
    found.error_count = (
        await session.execute(text(f"SELECT count(*) FROM {PROBLEMS}"))
    ).scalar_one()
    rows = await session.execute(
        text(f"SELECT n, col, message FROM {PROBLEMS} ORDER BY n, col LIMIT :keep"),
        {"keep": keep},
    )
    found.errors = [(n + 1, col, message) for n, col, message in rows]
    await session.execute(text(f"DROP TABLE {PROBLEMS}"))
    return found


async def would_create(session: AsyncSession, tenant_id: uuid.UUID, key: Key) -> tuple[int, int]:
    """(created, updated) if the staged rows were written now — for a dry run."""
    row = (
        await session.execute(
            text(f"SELECT count(*) FILTER (WHERE {target(key)} IS NULL), count(*) "
                 f"FROM {ROWS} r WHERE r.skip IS NULL"),
            {"tenant": tenant_id},
        )
    ).one()
    return int(row[0]), int(row[1]) - int(row[0])
