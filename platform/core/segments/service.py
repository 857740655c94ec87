"""Segment actions: every lookup is scoped by the acting principal's tenant; writes are
audited. Reading a segment's contacts runs its compiled definition in one statement."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from rapport.core import audit
from rapport.core.contacts.models import Contact
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.pagination import Page, by_id, check_limit, cut, newest_first
from rapport.core.segments.compiler import compile_definition
from rapport.core.segments.models import Segment
from rapport.errors import not_found
from rapport.tenancy.principal import Principal

RECORD_TYPE = "segment"
PLAIN = ("name", "description", "definition")


def audited(segment: Segment) -> dict[str, Any]:
    return {f: getattr(segment, f) for f in PLAIN}


def members_condition(
    tenant_id: uuid.UUID, definitions: Sequence[FieldDefinition], definition: Any
) -> ColumnElement[bool]:
    """Live contacts of the tenant matching ``definition`` (explicit tenant filter)."""
    matches = compile_definition(tenant_id, definitions, definition)
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
) -> Select[Any]:
    """The page's one statement (exposed so tests can EXPLAIN what the endpoint runs):
    newest first by id, like the contact list without ``sort``."""
    query = select(*shape).where(members_condition(tenant_id, definitions, definition))
    return newest_first(query, Contact.id, cursor, limit)


def count_statement(
    tenant_id: uuid.UUID, definitions: Sequence[FieldDefinition], definition: Any
) -> Select[Any]:
    return select(func.count()).select_from(Contact).where(
        members_condition(tenant_id, definitions, definition)
    )


def check(actor: Principal, definitions: Sequence[FieldDefinition], definition: Any) -> None:
    """422 naming the problem when ``definition`` does not compile."""
    compile_definition(actor.tenant_id, definitions, definition)


async def count(
    session: AsyncSession,
    actor: Principal,
    definitions: Sequence[FieldDefinition],
    definition: Any,
) -> int:
    return int(await session.scalar(count_statement(actor.tenant_id, definitions, definition))
               or 0)


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
        actor.tenant_id, definitions, definition, shape, cursor=cursor, limit=limit
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
    check(actor, definitions, values["definition"])
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
        check(actor, definitions, changes["definition"])
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
    before = audited(segment)
    await session.delete(segment)
    await session.flush()
    await audit.record(session, actor, audit.DELETE, RECORD_TYPE, segment_id,
                       audit.diff(before, {}))
