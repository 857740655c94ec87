"""The contact as its page shows it: who owns the relationship, where the person works, and
what colleagues already did with them ("has a colleague already worked with this
customer?") — the ``activity`` sections every area and enabled plugin contribute through
the ``rapport_contact_summary`` hook.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, Uuid, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts.models import Contact, ContactOrganization, Organization
from rapport.hooks import (
    ContactSummaryQuery,
    TenantHooks,
    resolve_summaries,
    shape_summaries,
    summary_expressions,
    summary_parameters,
)
from rapport.tenancy.models import Membership, User
from rapport.tenancy.principal import Principal

OWNER_PARAMETER = "page_owner_id"


@dataclass(frozen=True)
class Owner:
    user_id: uuid.UUID
    full_name: str
    email: str
    role: str


@dataclass(frozen=True)
class OrganizationLink:
    id: uuid.UUID
    organization_id: uuid.UUID
    organization_name: str
    role: str | None
    title: str | None
    since: date | None
    until: date | None


async def owner(session: AsyncSession, actor: Principal, contact: Contact) -> Owner | None:
    if contact.owner_id is None:
        return None
    row = (
        await session.execute(
            select(User.id, User.full_name, User.email, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.tenant_id == actor.tenant_id, User.id == contact.owner_id)
        )
    ).first()
    return Owner(*row) if row else None


async def organization_links(
    session: AsyncSession, actor: Principal, contact_id: uuid.UUID
) -> list[OrganizationLink]:
    rows = await session.execute(
        select(
            ContactOrganization.id,
            Organization.id,
            Organization.name,
            ContactOrganization.role,
            ContactOrganization.title,
            ContactOrganization.since,
            ContactOrganization.until,
        )
        .join(
            Organization,
            (Organization.tenant_id == ContactOrganization.tenant_id)
            & (Organization.id == ContactOrganization.organization_id),
        )
        .where(
            ContactOrganization.tenant_id == actor.tenant_id,
            ContactOrganization.contact_id == contact_id,
            Organization.deleted_at.is_(None),
        )
        .order_by(ContactOrganization.until.desc().nulls_first(), Organization.name_key)
    )
    return [OrganizationLink(*row) for row in rows]


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


@functools.cache
def _relation_columns(with_owner: bool) -> tuple[Any, ...]:
    """The organization links (and the owner) as JSON expressions, built once on the
    summary parameters (and ``page_owner_id``)."""
    tenant_id, contact_id = summary_parameters()
    link_rows = (
        select(func.coalesce(
            func.json_agg(aggregate_order_by(
                func.json_build_array(
                    ContactOrganization.id, Organization.id, Organization.name,
                    ContactOrganization.role, ContactOrganization.title,
                    ContactOrganization.since, ContactOrganization.until,
                ),
                ContactOrganization.until.desc().nulls_first(), Organization.name_key,
            )),
            literal_column("'[]'::json"),
        ))
        .select_from(ContactOrganization)
        .join(
            Organization,
            (Organization.tenant_id == ContactOrganization.tenant_id)
            & (Organization.id == ContactOrganization.organization_id),
        )
        .where(
            ContactOrganization.tenant_id == tenant_id,
            ContactOrganization.contact_id == contact_id,
            Organization.deleted_at.is_(None),
        )
        .scalar_subquery()
    )
    if not with_owner:
        return (link_rows,)
    owner_row = (
        select(func.json_build_array(User.id, User.full_name, User.email, Membership.role))
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tenant_id,
               User.id == bindparam(OWNER_PARAMETER, type_=Uuid()))
        .limit(1)
        .scalar_subquery()
    )
    return (link_rows, owner_row)


def _relations_of(values: Sequence[Any]) -> tuple[Owner | None, list[OrganizationLink]]:
    links, *owned = values
    found = owned[0] if owned else None
    return (
        Owner(uuid.UUID(found[0]), found[1], found[2], found[3]) if found else None,
        [
            OrganizationLink(uuid.UUID(a), uuid.UUID(b), name, role, title, _day(since),
                             _day(until))
            for a, b, name, role, title, since, until in links
        ],
    )


def _parameters(query: ContactSummaryQuery, contact: Contact) -> dict[str, Any]:
    return {**query.parameters, OWNER_PARAMETER: contact.owner_id}


async def relations(
    session: AsyncSession, actor: Principal, contact: Contact
) -> tuple[Owner | None, list[OrganizationLink]]:
    """The page's owner and organization links in one statement (as :func:`owner` and
    :func:`organization_links` answer them)."""
    query = ContactSummaryQuery(actor.tenant_id, contact.id, session, actor)
    columns = _relation_columns(contact.owner_id is not None)
    return _relations_of(
        (await session.execute(select(*columns), _parameters(query, contact))).one()
    )


async def page(
    session: AsyncSession, actor: Principal, hooks: TenantHooks, contact: Contact
) -> tuple[Owner | None, list[OrganizationLink], dict[str, Any]]:
    """Everything the contact page shows besides the record — owner, organizations and
    every area's ``activity`` section — in one statement (sections answered as SQL
    expressions; a plugin that runs its own query still can)."""
    query = ContactSummaryQuery(actor.tenant_id, contact.id, session, actor)
    answers = await hooks.call_each("rapport_contact_summary", query=query)
    columns = _relation_columns(contact.owner_id is not None)
    # Core, not the ORM: every part is prebuilt and filters by the tenant itself (forced
    # RLS backs it), and the ORM would add nothing here but its cost per statement.
    connection = await session.connection()
    values = (
        await connection.execute(
            _page_statement(columns, tuple(summary_expressions(answers))),
            _parameters(query, contact),
        )
    ).one()
    owner_of, links = _relations_of(values[: len(columns)])
    return owner_of, links, _merged(shape_summaries(answers, values[len(columns):]))


# The page statement per set of prebuilt parts (a tenant's enabled areas): built, and its
# cache key computed, once. Keyed by the parts' identities, which stay unique while the
# statement kept here holds the parts alive; a part built anew per call only misses.
_PAGES: dict[tuple[int, ...], Select[Any]] = {}


def _page_statement(columns: tuple[Any, ...], sections: tuple[Any, ...]) -> Select[Any]:
    parts = (*columns, *sections)
    key = tuple(id(p) for p in parts)
    found = _PAGES.get(key)
    if found is None:
        if len(_PAGES) > 256:
            _PAGES.clear()
        found = _PAGES[key] = select(*parts)
    return found


def _merged(sections: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for _, section in sections:
        for key, value in section.items():
            merged.setdefault(key, value)
    return merged


async def activity(
    session: AsyncSession, actor: Principal, hooks: TenantHooks, contact_id: uuid.UUID
) -> dict[str, Any]:
    """Every section answered for this contact, merged. Keys are namespaced by whoever
    answers (see the hookspec); should two answer the same key, the first answer stays."""
    query = ContactSummaryQuery(actor.tenant_id, contact_id, session, actor)
    answers = await hooks.call_each("rapport_contact_summary", query=query)
    return _merged(await resolve_summaries(query, answers))
