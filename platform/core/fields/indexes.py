"""The field value index: entries for indexed fields in ``field_values`` (migration 0002).

Why not an expression index on each table's ``fields``: under forced row-level security
PostgreSQL uses a condition as an index condition only if it is LEAKPROOF, and neither the
jsonb operators nor numeric comparisons are (only a superuser may declare a function so).
The app role would never get an index scan. ``field_values`` holds typed copies compared
with leakproof operators, under shared btree indexes led by ``tenant_id``; triggers keep it
in step with every write, and nothing here runs DDL, so the app role needs no privilege
beyond its own tenant's rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete, func, literal, select, text, true
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.entities import known_entities, record_table
from rapport.core.fields.models import FieldPluginIndex, FieldValue

ENTRY_COLUMNS = (
    "ordinal",
    "text_value",
    "number_value",
    "date_value",
    "time_value",
    "bool_value",
    "ref_value",
)


async def _hold_writers(session: AsyncSession, tenant_id: uuid.UUID, entity: str) -> None:
    # Pairs with the shared lock the sync triggers take: a record written while we fill the
    # index either commits before our read or runs its trigger after our commit, when it
    # already sees the field as indexed. Scoped to one tenant's entity, not the table.
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:scope, 0))"),
        {"scope": f"{tenant_id}{entity}"},
    )


async def unindex_field(
    session: AsyncSession, tenant_id: uuid.UUID, entity: str, full_key: str
) -> None:
    await session.execute(
        delete(FieldValue).where(
            FieldValue.tenant_id == tenant_id,
            FieldValue.entity == entity,
            FieldValue.full_key == full_key,
        )
    )


async def index_field(
    session: AsyncSession, tenant_id: uuid.UUID, entity: str, full_key: str, field_type: str
) -> None:
    """Enter the current values of one field of one tenant's records into the index."""
    await _hold_writers(session, tenant_id, entity)
    await unindex_field(session, tenant_id, entity, full_key)
    records = record_table((await known_entities(session))[entity])
    entries = (
        func.rapport_field_value_rows(records.c.fields, full_key, field_type)
        .table_valued(*ENTRY_COLUMNS)
        .lateral("entry")
    )
    source = (
        select(
            literal(tenant_id),
            literal(entity),
            records.c.id,
            literal(full_key),
            *(entries.c[name] for name in ENTRY_COLUMNS),
        )
        .select_from(records.join(entries, true()))
        .where(records.c.tenant_id == tenant_id, records.c.fields.has_key(full_key))
    )
    await session.execute(
        insert(FieldValue).from_select(
            ["tenant_id", "entity", "record_id", "full_key", *ENTRY_COLUMNS], source
        )
    )


async def index_plugin_fields(
    session: AsyncSession, tenant_id: uuid.UUID, definitions: Iterable[FieldDefinition]
) -> None:
    """For the plugin manager when a tenant enables a plugin: its indexed fields get index
    entries for that tenant's records now, and for everyone's writes from then on."""
    for d in definitions:
        if not d.indexed or d.computed is not None:
            continue
        await session.execute(
            insert(FieldPluginIndex)
            .values(entity=d.entity, full_key=d.full_key, type=d.type.value)
            .on_conflict_do_nothing()
        )
        await index_field(session, tenant_id, d.entity, d.full_key, d.type.value)
