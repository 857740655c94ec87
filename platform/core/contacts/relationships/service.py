"""Relationship actions, scoped by the acting principal's tenant; changes are audited
(record type ``contact_relationship``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from rapport.core import audit
from rapport.core.contacts.models import Contact
from rapport.core.contacts.relationships.models import KINDS, Relationship, RelationshipMember
from rapport.core.pagination import by_id, cut, newest_first
from rapport.errors import invalid, not_found
from rapport.tenancy.principal import Principal

RECORD_TYPE = "contact_relationship"


@dataclass(frozen=True)
class Member:
    contact_id: uuid.UUID
    display_name: str
    email: str | None
    role: str | None


@dataclass
class RelationshipView:
    relationship: Relationship
    members: list[Member] = field(default_factory=list)


@dataclass(frozen=True)
class Related:
    """Another member of one of the contact's relationships."""

    contact_id: uuid.UUID
    display_name: str
    email: str | None
    role: str | None
    relationship_id: uuid.UUID
    kind: str
    name: str | None


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise invalid("kind", "must be one of: " + ", ".join(KINDS))
    return kind


async def _get(session: AsyncSession, actor: Principal, relationship_id: uuid.UUID) -> Relationship:
    found = (
        await session.execute(
            select(Relationship).where(
                Relationship.tenant_id == actor.tenant_id, Relationship.id == relationship_id
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise not_found("Relationship")
    return found


async def _views(
    session: AsyncSession, actor: Principal, relationships: Sequence[Relationship]
) -> list[RelationshipView]:
    views = {r.id: RelationshipView(r) for r in relationships}
    if views:
        rows = await session.execute(
            select(RelationshipMember.relationship_id, Contact.id, Contact.display_name,
                   Contact.email, RelationshipMember.role)
            .join(Contact, and_(Contact.tenant_id == RelationshipMember.tenant_id,
                                Contact.id == RelationshipMember.contact_id))
            .where(RelationshipMember.tenant_id == actor.tenant_id,
                   RelationshipMember.relationship_id.in_(list(views)),
                   Contact.deleted_at.is_(None))
            .order_by(RelationshipMember.id)
        )
        for relationship_id, contact_id, display_name, email, role in rows:
            views[relationship_id].members.append(Member(contact_id, display_name, email, role))
    return [views[r.id] for r in relationships]


async def _existing_contacts(
    session: AsyncSession, actor: Principal, ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    rows = await session.execute(
        select(Contact.id).where(Contact.tenant_id == actor.tenant_id, Contact.id.in_(ids),
                                 Contact.deleted_at.is_(None))
    )
    return set(rows.scalars())


async def get_relationship(
    session: AsyncSession, actor: Principal, relationship_id: uuid.UUID
) -> RelationshipView:
    return (await _views(session, actor, [await _get(session, actor, relationship_id)]))[0]


async def create_relationship(
    session: AsyncSession,
    actor: Principal,
    kind: str,
    name: str | None,
    members: Sequence[tuple[uuid.UUID, str | None]],
) -> RelationshipView:
    actor.require_writer()
    kind = _kind(kind)
    known = await _existing_contacts(session, actor, [cid for cid, _ in members])
    for i, (cid, _) in enumerate(members):
        if cid not in known:
            # The same answer for another tenant's contact as for none: nothing is revealed.
            raise invalid(f"members[{i}].contact_id", "no contact with this id")
    relationship = Relationship(
        tenant_id=actor.tenant_id, kind=kind, name=(name or "").strip() or None,
        created_by=actor.user_id,
    )
    session.add(relationship)
    await session.flush()
    seen: set[uuid.UUID] = set()
    for cid, role in members:
        if cid not in seen:
            seen.add(cid)
            session.add(RelationshipMember(tenant_id=actor.tenant_id,
                                           relationship_id=relationship.id, contact_id=cid,
                                           role=(role or "").strip() or None))
    await session.flush()
    await session.refresh(relationship)
    await audit.record(
        session, actor, audit.CREATE, RECORD_TYPE, relationship.id,
        audit.diff({}, {"kind": kind, "name": relationship.name,
                        "members": sorted(str(c) for c in seen)}),
    )
    return await get_relationship(session, actor, relationship.id)


async def update_relationship(
    session: AsyncSession, actor: Principal, relationship_id: uuid.UUID, changes: Mapping[str, Any]
) -> RelationshipView:
    actor.require_writer()
    relationship = await _get(session, actor, relationship_id)
    before = {"kind": relationship.kind, "name": relationship.name}
    if "kind" in changes:
        relationship.kind = _kind(changes["kind"])
    if "name" in changes:
        relationship.name = (changes["name"] or "").strip() or None
    await session.flush()
    await session.refresh(relationship)
    changed = audit.diff(before, {"kind": relationship.kind, "name": relationship.name})
    if changed:
        await audit.record(session, actor, audit.UPDATE, RECORD_TYPE, relationship_id, changed)
    return await get_relationship(session, actor, relationship_id)


async def delete_relationship(
    session: AsyncSession, actor: Principal, relationship_id: uuid.UUID
) -> None:
    actor.require_writer()
    relationship = await _get(session, actor, relationship_id)
    before = {"kind": relationship.kind, "name": relationship.name}
    await session.delete(relationship)
    await session.flush()
    await audit.record(session, actor, audit.DELETE, RECORD_TYPE, relationship_id,
                       audit.diff(before, {}))


async def put_member(
    session: AsyncSession,
    actor: Principal,
    relationship_id: uuid.UUID,
    contact_id: uuid.UUID,
    role: str | None,
) -> RelationshipView:
    """Add the contact to the relationship, or change their role in it."""
    actor.require_writer()
    await _get(session, actor, relationship_id)
    if not await _existing_contacts(session, actor, [contact_id]):
        raise not_found("Contact")
    role = (role or "").strip() or None
    member = (
        await session.execute(
            select(RelationshipMember).where(
                RelationshipMember.tenant_id == actor.tenant_id,
                RelationshipMember.relationship_id == relationship_id,
                RelationshipMember.contact_id == contact_id,
            )
        )
    ).scalar_one_or_none()
    before = {"role": member.role} if member else None
    if member is None:
        session.add(RelationshipMember(tenant_id=actor.tenant_id,
                                       relationship_id=relationship_id, contact_id=contact_id,
                                       role=role))
    else:
        member.role = role
    await session.flush()
    if before != {"role": role}:
        await audit.record(session, actor, audit.UPDATE, RECORD_TYPE, relationship_id,
                           {f"members.{contact_id}": [before, {"role": role}]})
    return await get_relationship(session, actor, relationship_id)


async def remove_member(
    session: AsyncSession, actor: Principal, relationship_id: uuid.UUID, contact_id: uuid.UUID
) -> None:
    actor.require_writer()
    await _get(session, actor, relationship_id)
    member = (
        await session.execute(
            select(RelationshipMember).where(
                RelationshipMember.tenant_id == actor.tenant_id,
                RelationshipMember.relationship_id == relationship_id,
                RelationshipMember.contact_id == contact_id,
            )
        )
    ).scalar_one_or_none()
    if member is None:
        raise not_found("Member")
    await session.delete(member)
    await session.flush()
    await audit.record(session, actor, audit.UPDATE, RECORD_TYPE, relationship_id,
                       {f"members.{contact_id}": [{"role": member.role}, None]})


async def list_relationships(
    session: AsyncSession,
    actor: Principal,
    *,
    contact_id: uuid.UUID | None = None,
    kind: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[RelationshipView], str | None]:
    """Newest first; ``contact_id`` narrows to the relationships the contact is in."""
    query = select(Relationship).where(Relationship.tenant_id == actor.tenant_id)
    if contact_id is not None:
        query = query.where(Relationship.id.in_(
            select(RelationshipMember.relationship_id).where(
                RelationshipMember.tenant_id == actor.tenant_id,
                RelationshipMember.contact_id == contact_id,
            )
        ))
    if kind is not None:
        query = query.where(Relationship.kind == _kind(kind))
    query = newest_first(query, Relationship.id, cursor, limit)
    rows = list((await session.execute(query)).scalars())
    page = cut(rows, limit, by_id)
    return await _views(session, actor, page.items), page.next_cursor


def related_statement(tenant_id: uuid.UUID, contact_id: uuid.UUID, kind: str | None) -> Any:
    """The others in every relationship of the contact — one query, both halves index-led
    (from the contact to its relationships, from each relationship to its members)."""
    mine, theirs = aliased(RelationshipMember), aliased(RelationshipMember)
    query = (
        select(theirs.contact_id, Contact.display_name, Contact.email, theirs.role,
               Relationship.id, Relationship.kind, Relationship.name)
        .select_from(mine)
        .join(theirs, and_(theirs.tenant_id == mine.tenant_id,
                           theirs.relationship_id == mine.relationship_id,
                           theirs.contact_id != mine.contact_id))
        .join(Relationship, and_(Relationship.tenant_id == mine.tenant_id,
                                 Relationship.id == mine.relationship_id))
        .join(Contact, and_(Contact.tenant_id == theirs.tenant_id,
                            Contact.id == theirs.contact_id))
        .where(mine.tenant_id == tenant_id, mine.contact_id == contact_id,
               Contact.deleted_at.is_(None))
        .order_by(Relationship.kind, Relationship.id, theirs.id)
    )
    if kind is not None:
        query = query.where(Relationship.kind == _kind(kind))
    return query


async def related(
    session: AsyncSession, actor: Principal, contact_id: uuid.UUID, kind: str | None = None
) -> list[Related]:
    rows = await session.execute(related_statement(actor.tenant_id, contact_id, kind))
    return [Related(*row) for row in rows]
