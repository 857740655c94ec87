"""Entities that carry custom fields, read from the migration-owned allow-list."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import column, select, table
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import TableClause

from rapport.core.fields.models import FieldEntity


async def known_entities(session: AsyncSession) -> dict[str, str]:
    """``{entity: table_name}``; plugins add rows in their migrations."""
    rows = await session.execute(select(FieldEntity.entity, FieldEntity.table_name))
    return {entity: table_name for entity, table_name in rows.all()}


def record_table(table_name: str) -> TableClause:
    """The columns every field-carrying table has, for statements that work on any of them.

    ``table_name`` comes from the allow-list, never from a request; SQLAlchemy quotes it.
    """
    return table(
        table_name,
        column("tenant_id", UUID(as_uuid=True)),
        column("id", UUID(as_uuid=True)),
        column("fields", JSONB),
    )


async def existing_ids(
    session: AsyncSession, table_name: str, tenant_id: uuid.UUID, ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of ``ids`` are records of the current tenant (RLS would hide others anyway)."""
    wanted = list(set(ids))
    if not wanted:
        return set()
    t = record_table(table_name)
    rows = await session.execute(
        select(t.c.id).where(t.c.tenant_id == tenant_id, t.c.id.in_(wanted))
    )
    return set(rows.scalars())
