"""Segment actions: every lookup is scoped by the acting principal's tenant; writes are
audited. Reading a dynamic segment's contacts runs its compiled definition in one
statement; a static segment reads its snapshot (``segment_members``)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, Text, and_, delete, func, insert, literal, select
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from rapport.core import audit
from rapport.core.contacts.contributed import contributed_filters
from rapport.core.contacts.listing import ENTITY
from rapport.core.contacts.models import Contact
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.service import visible_fields
from rapport.core.pagination import Page, by_id, check_limit, cut, newest_first
from rapport.core.segments.compiler import Saved, compile_definition
from rapport.core.segments.models import DYNAMIC, STATIC, Segment, SegmentMember
from rapport.errors import conflict, not_found
from rapport.hooks import PluginRegistry
from rapport.hooks.filters import ContactFilter
from rapport.hooks.segments import SegmentCondition
from rapport.tenancy.principal import Principal

RECORD_TYPE = "segment"
PLAIN = ("name", "description", "definition")


def audited(segment: Segment) -> dict[str, Any]:
    return {f: getattr(segment, f) for f in PLAIN}


@dataclass(frozen=True)
class Vocabulary:
    """What a definition may name for this caller: the contact fields they may see, and the
    contributed conditions and contact-list filter fields of the kernel areas and plugins
    their tenant enabled."""

    definitions: Sequence[FieldDefinition]
    conditions: Mapping[str, SegmentCondition] = field(default_factory=dict)
    filters: Mapping[str, ContactFilter] = field(default_factory=dict)


def conditions_of(registry: PluginRegistry, modules: frozenset[str]) -> dict[str, SegmentCondition]:
    """Contributed conditions by name (``rapport_segment_conditions``) for a tenant's
    enabled set; the names were checked when the plugins loaded."""
    return {c.name: c for _, c in registry.declared("rapport_segment_conditions", modules)}


async def vocabulary(
    session: AsyncSession,
    actor: Principal,
    plugin_fields: Sequence[FieldDefinition],
    registry: PluginRegistry,
) -> Vocabulary:
    definitions = await visible_fields(session, actor, plugin_fields, ENTITY)
    return Vocabulary(definitions, conditions_of(registry, actor.modules),
                      contributed_filters(registry, actor.modules))


SavedSegments = Mapping[uuid.UUID, Saved]


def live(tenant_id: uuid.UUID, matches: ColumnElement[bool]) -> ColumnElement[bool]:
    """The tenant's live contacts meeting ``matches`` (trashed contacts are in no segment,
    as in no list)."""
    return and_(Contact.tenant_id == tenant_id, Contact.deleted_at.is_(None), matches)


def members_condition(
    tenant_id: uuid.UUID,
    words: Vocabulary,
    definition: Any,
    saved: SavedSegments | None = None,
    current: uuid.UUID | None = None,
) -> ColumnElement[bool]:
    """Live contacts of the tenant matching ``definition`` (explicit tenant filter);
    ``saved``: the tenant's segments by id, for ``segment`` references."""
    return live(tenant_id, compile_definition(
        tenant_id, words.definitions, definition, saved, current, words.conditions,
        words.filters,
    ))


def snapshot_condition(tenant_id: uuid.UUID, segment_id: uuid.UUID) -> ColumnElement[bool]:
    """Live contacts in a static segment's snapshot."""
    return live(tenant_id, Contact.id.in_(
        select(SegmentMember.contact_id).where(
            SegmentMember.tenant_id == tenant_id, SegmentMember.segment_id == segment_id
        )
    ))


def contacts_statement(
    condition: ColumnElement[bool], shape: tuple[Any, ...], *, cursor: str | None, limit: int
) -> Select[Any]:
    """The page's one statement (exposed so tests can EXPLAIN what the endpoint runs):
    newest first by id, like the contact list without ``sort``."""
    return newest_first(select(*shape).where(condition), Contact.id, cursor, limit)


def count_statement(condition: ColumnElement[bool]) -> Select[Any]:
    return select(func.count()).select_from(Contact).where(condition)


async def saved_segments(
    session: AsyncSession, actor: Principal, definition: Any
) -> dict[uuid.UUID, Saved]:
    """The tenant's saved segments by id when ``definition`` refers to a segment (one
    small read; none otherwise)."""
    if '"segment"' not in json.dumps(definition):
        return {}
    rows = await session.execute(
        select(Segment.id, Segment.kind, Segment.definition)
        .where(Segment.tenant_id == actor.tenant_id)
    )
    return {row.id: Saved(row.kind, row.definition) for row in rows}


async def check(
    session: AsyncSession,
    actor: Principal,
    words: Vocabulary,
    definition: Any,
    current: uuid.UUID | None = None,
) -> None:
    """422 naming the problem when ``definition`` (of segment ``current``, if saved) does
    not compile: unknown fields, bad values, missing or circular segment references."""
    saved = await saved_segments(session, actor, definition)
    compile_definition(actor.tenant_id, words.definitions, definition, saved, current,
                       words.conditions, words.filters)


async def draft_condition(
    session: AsyncSession, actor: Principal, words: Vocabulary, definition: Any
) -> ColumnElement[bool]:
    saved = await saved_segments(session, actor, definition)
    return members_condition(actor.tenant_id, words, definition, saved)


async def segment_condition(
    session: AsyncSession, actor: Principal, words: Vocabulary, segment: Segment
) -> ColumnElement[bool]:
    """Who is in ``segment`` now: a dynamic one's definition evaluated, a static one's
    snapshot."""
    if segment.kind == STATIC:
        return snapshot_condition(actor.tenant_id, segment.id)
    return await draft_condition(session, actor, words, segment.definition)


async def count_where(session: AsyncSession, condition: ColumnElement[bool]) -> int:
    return int(await session.scalar(count_statement(condition)) or 0)


async def count(
    session: AsyncSession, actor: Principal, words: Vocabulary, definition: Any
) -> int:
    """How many live contacts a (draft) definition matches now."""
    return await count_where(session, await draft_condition(session, actor, words, definition))


async def contacts_page(
    session: AsyncSession,
    condition: ColumnElement[bool],
    shape: tuple[Any, ...],
    *,
    cursor: str | None,
    limit: int,
) -> Page[Any]:
    check_limit(limit)
    statement = contacts_statement(condition, shape, cursor=cursor, limit=limit)
    return cut(list(await session.execute(statement)), limit, by_id)


async def take_snapshot(
    session: AsyncSession, actor: Principal, words: Vocabulary, segment: Segment
) -> int:
    """Replace a static segment's members with the contacts its definition matches now, in
    two set-based statements of the caller's transaction; returns how many were taken."""
    condition = await draft_condition(session, actor, words, segment.definition)
    await session.execute(delete(SegmentMember).where(
        SegmentMember.tenant_id == actor.tenant_id, SegmentMember.segment_id == segment.id
    ))
    await session.execute(
        insert(SegmentMember).from_select(
            ["tenant_id", "segment_id", "contact_id"],
            select(literal(actor.tenant_id, UUID(as_uuid=True)),
                   literal(segment.id, UUID(as_uuid=True)), Contact.id).where(condition),
        )
    )
    segment.snapshot_at = await session.scalar(select(func.now()))
    await session.flush()
    return await count_where(session, snapshot_condition(actor.tenant_id, segment.id))


async def snapshot(
    session: AsyncSession, actor: Principal, words: Vocabulary, segment_id: uuid.UUID
) -> tuple[Segment, int]:
    """Re-take a static segment's snapshot (409 for a dynamic one); audited."""
    actor.require_writer()
    segment = await get_segment(session, actor, segment_id)
    if segment.kind != STATIC:
        raise conflict("Only a static segment keeps a snapshot; a dynamic one is evaluated "
                       "on every read")
    before = segment.snapshot_at
    taken = await take_snapshot(session, actor, words, segment)
    await audit.record(session, actor, audit.UPDATE, RECORD_TYPE, segment.id,
                       audit.diff({"snapshot_at": before, "members": None},
                                  {"snapshot_at": segment.snapshot_at, "members": taken}))
    return segment, taken


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
    words: Vocabulary,
) -> Segment:
    """A dynamic segment, or a static one with its first snapshot taken at once."""
    actor.require_writer()
    await check(session, actor, words, values["definition"])
    kind = values.get("kind") or DYNAMIC
    segment = Segment(tenant_id=actor.tenant_id, created_by=actor.user_id, kind=kind,
                      **{f: values[f] for f in PLAIN})
    session.add(segment)
    await session.flush()
    if kind == STATIC:
        await take_snapshot(session, actor, words, segment)
    await audit.record(session, actor, audit.CREATE, RECORD_TYPE, segment.id,
                       audit.diff({}, audited(segment)))
    return segment


async def update_segment(
    session: AsyncSession,
    actor: Principal,
    segment_id: uuid.UUID,
    changes: Mapping[str, Any],
    words: Vocabulary,
) -> Segment:
    """Change what is sent. A static segment's members stay as they were until its
    snapshot is re-taken."""
    actor.require_writer()
    segment = await get_segment(session, actor, segment_id)
    if "definition" in changes:
        await check(session, actor, words, changes["definition"], segment_id)
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
