"""Segment actions: every lookup is scoped by the acting principal's tenant; writes are
audited. Reading a segment's contacts runs its compiled definition in one statement."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, Text, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from rapport.core import audit
from rapport.core.contacts.models import Contact
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.pagination import Page, by_id, check_limit, cut, newest_first
from rapport.core.segments.compiler import compile_definition
from rapport.core.segments.models import Segment
from rapport.errors import conflict, not_found
from rapport.tenancy.principal import Principal

RECORD_TYPE = "segment"
PLAIN = ("name", "description", "definition")


def audited(segment: Segment) -> dict[str, Any]:
    return {f: getattr(segment, f) for f in PLAIN}


Saved = Mapping[uuid.UUID, Any]


def members_condition(
    tenant_id: uuid.UUID,
    definitions: Sequence[FieldDefinition],
    definition: Any,
    saved: Saved | None = None,
) -> ColumnElement[bool]:
    """Live contacts of the tenant matching ``definition`` (explicit tenant filter);
    ``saved``: the tenant's definitions by id, for ``segment`` references."""
    matches = compile_definition(tenant_id, definitions, definition, saved)
    # Trashed contacts are in no segment, as in no list.
    return and_(Contact.tenant_id == tenant_id, Contact.deleted_at.is_(None), matches)


def contacts_statement(
    tenant_id: uuid.UUID,
    definitions: Sequence[FieldDefinition],
    definition: Any,
    shape: tuple[Any, ...],
    *,
    cursor: str | None,
    limit: int,
    saved: Saved | None = None,
) -> Select[Any]:
    """The page's one statement (exposed so tests can EXPLAIN what the endpoint runs):
    newest first by id, like the contact list without ``sort``."""
    query = select(*shape).where(members_condition(tenant_id, definitions, definition, saved))
    return newest_first(query, Contact.id, cursor, limit)


def count_statement(
    tenant_id: uuid.UUID,
    definitions: Sequence[FieldDefinition],
    definition: Any,
    saved: Saved | None = None,
) -> Select[Any]:
    return select(func.count()).select_from(Contact).where(
        members_condition(tenant_id, definitions, definition, saved)
    )


async def saved_definitions(
    session: AsyncSession, actor: Principal, definition: Any
) -> dict[uuid.UUID, Any]:
    """The tenant's saved definitions by id when ``definition`` refers to a segment (one
    small read; none otherwise)."""
    if '"segment"' not in json.dumps(definition):
        return {}
    rows = await session.execute(
        select(Segment.id, Segment.definition).where(Segment.tenant_id == actor.tenant_id)
    )
    return {row.id: row.definition for row in rows}


async def check(
    session: AsyncSession,
    actor: Principal,
    definitions: Sequence[FieldDefinition],
    definition: Any,
    current: uuid.UUID | None = None,
) -> None:
    """422 naming the problem when ``definition`` (of segment ``current``, if saved) does
    not compile: unknown fields, bad values, missing or circular segment references."""
    saved = await saved_definitions(session, actor, definition)
    compile_definition(actor.tenant_id, definitions, definition, saved, current)


async def count(
    session: AsyncSession,
    actor: Principal,
    definitions: Sequence[FieldDefinition],
    definition: Any,
) -> int:
    saved = await saved_definitions(session, actor, definition)
    statement = count_statement(actor.tenant_id, definitions, definition, saved)
    return int(await session.scalar(statement) or 0)


async def contacts_page(
    session: AsyncSession,
    actor: Principal,
    definitions: Sequence[FieldDefinition],
    definition: Any,
    shape: tuple[Any, ...],
    *,
    cursor: str | None,
    limit: int,
) -> Page[Any]:
    check_limit(limit)
    statement = contacts_statement(
        actor.tenant_id, definitions, definition, shape, cursor=cursor, limit=limit,
        saved=await saved_definitions(session, actor, definition),
    )
    return cut(list(await session.execute(statement)), limit, by_id)


async def list_segments(
    session: AsyncSession, actor: Principal, *, cursor: str | None, limit: int
) -> Page[Segment]:
    check_limit(limit)
    query = newest_first(
        select(Segment).where(Segment.tenant_id == actor.tenant_id), Segment.id, cursor, limit
    )
    return cut(list((await session.execute(query)).scalars()), limit, by_id)


async def get_segment(session: AsyncSession, actor: Principal, segment_id: uuid.UUID) -> Segment:
    segment = (
        await session.execute(
            select(Segment).where(Segment.tenant_id == actor.tenant_id, Segment.id == segment_id)
        )
    ).scalar_one_or_none()
    if segment is None:
        raise not_found("Segment")
    return segment


async def create_segment(
    session: AsyncSession,
    actor: Principal,
    values: Mapping[str, Any],
    definitions: Sequence[FieldDefinition],
) -> Segment:
    actor.require_writer()
    await check(session, actor, definitions, values["definition"])
    segment = Segment(tenant_id=actor.tenant_id, created_by=actor.user_id,
                      **{f: values[f] for f in PLAIN})
    session.add(segment)
    await session.flush()
    await audit.record(session, actor, audit.CREATE, RECORD_TYPE, segment.id,
                       audit.diff({}, audited(segment)))
    return segment


async def update_segment(
    session: AsyncSession,
    actor: Principal,
    segment_id: uuid.UUID,
    changes: Mapping[str, Any],
    definitions: Sequence[FieldDefinition],
) -> Segment:
    actor.require_writer()
    segment = await get_segment(session, actor, segment_id)
    if "definition" in changes:
        await check(session, actor, definitions, changes["definition"], segment_id)
    before = audited(segment)
    for name, value in changes.items():
        setattr(segment, name, value)
    await session.flush()
    await audit.record(session, actor, audit.UPDATE, RECORD_TYPE, segment.id,
                       audit.diff(before, audited(segment)))
    return segment


async def delete_segment(
    session: AsyncSession, actor: Principal, segment_id: uuid.UUID
) -> None:
    actor.require_writer()
    segment = await get_segment(session, actor, segment_id)
    referring = (await session.execute(
        select(Segment.name).where(
            Segment.tenant_id == actor.tenant_id, Segment.id != segment_id,
            Segment.definition.cast(Text).contains(f'"{segment_id}"'),
        ).order_by(Segment.name)
    )).scalars().all()
    if referring:
        raise conflict("Other segments refer to this one: " + ", ".join(referring),
                       segments=list(referring))
    before = audited(segment)
    await session.delete(segment)
    await session.flush()
    await audit.record(session, actor, audit.DELETE, RECORD_TYPE, segment_id,
                       audit.diff(before, {}))
