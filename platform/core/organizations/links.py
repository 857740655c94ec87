"""A contact's links to organizations (role, job title, since/until).

A link is part of the person's profile: changes are audited on the contact, recorded as
facts (field ``organizations.<organization id>``) with their provenance, and announced as
``contact.updated``; the contact's search terms follow the organization names.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit, facts
from rapport.core.contacts.models import Contact, ContactOrganization, Organization
from rapport.core.contacts.search import index as search_index
from rapport.core.contacts.service import get_contact
from rapport.core.events import emit
from rapport.core.pagination import cut, decode_id
from rapport.errors import conflict, invalid, not_found
from rapport.hooks import CONTACT_UPDATED, TenantHooks
from rapport.tenancy.principal import Principal

PARTS = ("role", "title", "since", "until")


@dataclass(frozen=True)
class Person:
    link_id: uuid.UUID
    contact_id: uuid.UUID
    display_name: str
    email: str | None
    role: str | None
    title: str | None
    since: date | None
    until: date | None


def _value(link: ContactOrganization) -> dict[str, Any]:
    return {part: getattr(link, part) for part in PARTS}


def _clean(changes: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for part in PARTS:
        if part in changes:
            value = changes[part]
            if isinstance(value, str):
                value = " ".join(value.split()) or None
            out[part] = value
    return out


def _check_period(link: ContactOrganization) -> None:
    if link.since and link.until and link.until < link.since:
        raise invalid("until", "must not be before since")


async def _link(
    session: AsyncSession, actor: Principal, contact_id: uuid.UUID, link_id: uuid.UUID
) -> ContactOrganization:
    link = (
        await session.execute(
            select(ContactOrganization).where(
                ContactOrganization.tenant_id == actor.tenant_id,
                ContactOrganization.contact_id == contact_id,
                ContactOrganization.id == link_id,
            )
        )
    ).scalar_one_or_none()
    if link is None:
        raise not_found("Organization link")
    return link


async def _changed(
    session: AsyncSession,
    actor: Principal,
    link: ContactOrganization,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    provenance: facts.Provenance,
    hooks: TenantHooks,
) -> None:
    key = f"organizations.{link.organization_id}"
    changes = audit.diff({key: before} if before else {}, {key: after} if after else {})
    if not changes:
        return
    await audit.record(session, actor, audit.UPDATE, "contact", link.contact_id, changes)
    await facts.record(session, actor, link.contact_id, changes, provenance)
    await emit(session, actor, hooks, CONTACT_UPDATED, "contact", link.contact_id,
               {"changes": changes})


async def add_link(
    session: AsyncSession,
    actor: Principal,
    contact_id: uuid.UUID,
    organization_id: uuid.UUID,
    values: Mapping[str, Any],
    provenance: facts.Provenance,
    hooks: TenantHooks,
) -> ContactOrganization:
    actor.require_writer()
    await get_contact(session, actor, contact_id)
    await facts.check_provenance(session, actor, provenance)
    known = await session.execute(
        select(Organization.id).where(
            Organization.tenant_id == actor.tenant_id, Organization.id == organization_id,
            Organization.deleted_at.is_(None),
        )
    )
    if known.first() is None:
        # The same answer for another tenant's organization as for none.
        raise invalid("organization_id", "no organization with this id")
    link = ContactOrganization(tenant_id=actor.tenant_id, contact_id=contact_id,
                               organization_id=organization_id, **_clean(values))
    _check_period(link)
    session.add(link)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise conflict("This contact is already linked to this organization") from exc
    await search_index.refresh(session, actor.tenant_id, [contact_id])
    await _changed(session, actor, link, None, _value(link), provenance, hooks)
    return link


async def update_link(
    session: AsyncSession,
    actor: Principal,
    contact_id: uuid.UUID,
    link_id: uuid.UUID,
    changes: Mapping[str, Any],
    provenance: facts.Provenance,
    hooks: TenantHooks,
) -> ContactOrganization:
    actor.require_writer()
    await facts.check_provenance(session, actor, provenance)
    link = await _link(session, actor, contact_id, link_id)
    before = _value(link)
    for part, value in _clean(changes).items():
        setattr(link, part, value)
    _check_period(link)
    await session.flush()
    await _changed(session, actor, link, before, _value(link), provenance, hooks)
    return link


async def remove_link(
    session: AsyncSession,
    actor: Principal,
    contact_id: uuid.UUID,
    link_id: uuid.UUID,
    provenance: facts.Provenance,
    hooks: TenantHooks,
) -> None:
    actor.require_writer()
    link = await _link(session, actor, contact_id, link_id)
    before = _value(link)
    await session.delete(link)
    await session.flush()
    await search_index.refresh(session, actor.tenant_id, [contact_id])
    await _changed(session, actor, link, before, None, provenance, hooks)


async def people(
    session: AsyncSession,
    actor: Principal,
    organization_id: uuid.UUID,
    *,
    cursor: str | None,
    limit: int,
) -> tuple[list[Person], str | None]:
    """Contacts linked to the organization, in the order they were linked."""
    query = (
        select(ContactOrganization.id, Contact.id, Contact.display_name, Contact.email,
               ContactOrganization.role, ContactOrganization.title, ContactOrganization.since,
               ContactOrganization.until)
        .join(Contact, and_(Contact.tenant_id == ContactOrganization.tenant_id,
                            Contact.id == ContactOrganization.contact_id))
        .where(ContactOrganization.tenant_id == actor.tenant_id,
               ContactOrganization.organization_id == organization_id,
               Contact.deleted_at.is_(None))
    )
    if cursor:
        query = query.where(ContactOrganization.id > decode_id(cursor))
    rows = [Person(*r) for r in await session.execute(
        query.order_by(ContactOrganization.id).limit(limit + 1)
    )]
    page = cut(rows, limit, lambda person: (person.link_id,))
    return page.items, page.next_cursor
