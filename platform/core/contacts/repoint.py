"""Move every row that references one contact to another, whoever owns the table.

The references are read from the live catalogue (``pg_constraint``): every foreign key onto
``contacts (tenant_id, id)`` — the kernel's, other areas' (interactions, deals) and
plugins' (``stamps_cards``) — so a merge moves records it has never heard of. A row that
would collide with one of the survivor's under a unique key is dropped (the survivor's
wins): first precisely, per unique index, then row by row for keys no plain comparison
can express (partial or expression indexes, check constraints).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

REFERENCES_SQL = """
SELECT c.conrelid::oid AS rel, n.nspname, r.relname,
       (SELECT array_agg(a.attname::text ORDER BY k.ord)
          FROM unnest(c.conkey) WITH ORDINALITY k(num, ord)
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num) AS columns,
       (SELECT array_agg(a.attname::text ORDER BY k.ord)
          FROM unnest(c.confkey) WITH ORDINALITY k(num, ord)
          JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num) AS referenced
FROM pg_constraint c
JOIN pg_class r ON r.oid = c.conrelid
JOIN pg_namespace n ON n.oid = r.relnamespace
WHERE c.contype = 'f' AND c.confrelid = to_regclass('public.contacts')
ORDER BY n.nspname, r.relname, c.conname
"""

# Unique indexes (primary keys included) of those tables, with their key columns; an
# expression in the key shows as a NULL name.
UNIQUE_SQL = """
SELECT i.indrelid::oid AS rel, i.indnullsnotdistinct, i.indpred IS NOT NULL AS partial,
       (SELECT array_agg(a.attname::text ORDER BY k.ord)
          FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, ord)
          LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num
          WHERE k.ord <= i.indnkeyatts) AS columns
FROM pg_index i
WHERE i.indisunique AND i.indrelid = ANY(CAST(:rels AS oid[]))
"""


# One statement per table; the function checks the survivor once instead of once per
# moved row (migration 0015 explains when it may, and falls back when it may not).
MOVE = text(
    "SELECT rapport_move_contact_rows(CAST(:table AS regclass), :tenant_column, "
    ":contact_column, :survivor, :other)"
)


@dataclass(frozen=True)
class UniqueKey:
    columns: tuple[str, ...]
    nulls_not_distinct: bool


@dataclass(frozen=True)
class Reference:
    """One foreign key onto contacts: ``table.contact_column`` holds the contact's id."""

    schema: str
    table: str
    tenant_column: str
    contact_column: str
    unique_keys: tuple[UniqueKey, ...]

    @property
    def name(self) -> str:
        return self.table if self.schema == "public" else f"{self.schema}.{self.table}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def references(session: AsyncSession) -> list[Reference]:
    """Every foreign key onto contacts' (tenant_id, id), with its table's plain unique keys."""
    rows = (await session.execute(text(REFERENCES_SQL))).all()
    found = []
    for rel, schema, table, columns, referenced in rows:
        mapping = dict(zip(referenced, columns, strict=True))
        if set(mapping) != {"tenant_id", "id"}:
            continue  # not a tenant-safe reference; the isolation tests refuse these anyway
        found.append((rel, schema, table, mapping["tenant_id"], mapping["id"]))
    keys: dict[int, list[UniqueKey]] = {}
    if found:
        for rel, nulls_not_distinct, partial, columns in await session.execute(
            text(UNIQUE_SQL), {"rels": [f[0] for f in found]}
        ):
            if not partial and None not in columns:
                keys.setdefault(rel, []).append(UniqueKey(tuple(columns), nulls_not_distinct))
    return [
        Reference(schema, table, tenant_col, contact_col, tuple(
            k for k in keys.get(rel, []) if contact_col in k.columns
        ))
        for rel, schema, table, tenant_col, contact_col in found
    ]


@dataclass
class Moved:
    moved: int = 0
    dropped: int = 0


async def _drop_collisions(
    session: AsyncSession, ref: Reference, params: dict[str, uuid.UUID]
) -> int:
    table = f"{_quote(ref.schema)}.{_quote(ref.table)}"
    tenant, contact = _quote(ref.tenant_column), _quote(ref.contact_column)
    dropped = 0
    for key in ref.unique_keys:
        compare = "IS NOT DISTINCT FROM" if key.nulls_not_distinct else "="
        same = "".join(
            f" AND s.{_quote(c)} {compare} o.{_quote(c)}"
            for c in key.columns
            if c not in (ref.tenant_column, ref.contact_column)
        )
        result = await session.execute(
            text(
                f"DELETE FROM {table} o WHERE o.{tenant} = :tenant AND o.{contact} = :other "  # noqa: S608 - identifiers from the catalogue, quoted
                f"AND EXISTS (SELECT 1 FROM {table} s WHERE s.{tenant} = :tenant "
                f"AND s.{contact} = :survivor{same})"
            ),
            params,
        )
        dropped += max(result.rowcount, 0)  # type: ignore[attr-defined]
    return dropped


async def _row_by_row(session: AsyncSession, ref: Reference, params: dict[str, uuid.UUID]) -> Moved:
    table = f"{_quote(ref.schema)}.{_quote(ref.table)}"
    tenant, contact = _quote(ref.tenant_column), _quote(ref.contact_column)
    done = Moved()
    rows = await session.execute(
        text(f"SELECT ctid::text FROM {table} WHERE {tenant} = :tenant AND {contact} = :other"),  # noqa: S608
        params,
    )
    move = text(f"UPDATE {table} SET {contact} = :survivor WHERE ctid = CAST(:ctid AS tid)")  # noqa: S608
    for (ctid,) in rows.all():
        try:
            async with session.begin_nested():
                await session.execute(move, {**params, "ctid": ctid})
            done.moved += 1
        except IntegrityError:
            await session.execute(
                text(f"DELETE FROM {table} WHERE ctid = CAST(:ctid AS tid)"),  # noqa: S608
                {"ctid": ctid},
            )
            done.dropped += 1
    return done


async def _holding(
    session: AsyncSession, refs: list[Reference], params: dict[str, uuid.UUID]
) -> list[Reference]:
    """The references that hold rows of the other contact: one round trip of index probes,
    so a fresh duplicate costs a statement per table it actually appears in."""
    if not refs:
        return []
    probes = " UNION ALL ".join(
        f"SELECT {i} WHERE EXISTS (SELECT 1 FROM {_quote(r.schema)}.{_quote(r.table)} "  # noqa: S608
        f"WHERE {_quote(r.tenant_column)} = :tenant AND {_quote(r.contact_column)} = :other)"
        for i, r in enumerate(refs)
    )
    found = {row[0] for row in await session.execute(text(probes), params)}
    return [r for i, r in enumerate(refs) if i in found]


async def repoint(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    other_id: uuid.UUID,
    survivor_id: uuid.UUID,
    refs: list[Reference],
) -> dict[str, Moved]:
    """Move ``other_id``'s rows in every referencing table to ``survivor_id``."""
    params = {"tenant": tenant_id, "other": other_id, "survivor": survivor_id}
    out: dict[str, Moved] = {}
    for ref in await _holding(session, refs, params):
        dropped = await _drop_collisions(session, ref, params)
        try:
            async with session.begin_nested():
                count = (await session.execute(MOVE, {
                    **params,
                    "table": f"{_quote(ref.schema)}.{_quote(ref.table)}",
                    "tenant_column": ref.tenant_column,
                    "contact_column": ref.contact_column,
                })).scalar_one()
            done = Moved(int(count), dropped)
        except IntegrityError:
            done = await _row_by_row(session, ref, params)
            done.dropped += dropped
        if done.moved or done.dropped:
            previous = out.get(ref.name, Moved())
            out[ref.name] = Moved(previous.moved + done.moved, previous.dropped + done.dropped)
    return out
