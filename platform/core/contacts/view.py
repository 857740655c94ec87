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

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts import records
from rapport.core.contacts.models import Contact, ContactOrganization, Organization
from rapport.core.contacts.records import ContactValues
from rapport.db import direct
from rapport.errors import not_found
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


async def owner(
    session: AsyncSession, actor: Principal, contact: ContactValues
) -> Owner | None:
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
def _link_rows() -> Any:
    """The contact's organization links as one JSON expression, built once on the summary
    parameters."""
    tenant_id, contact_id = summary_parameters()
    return (
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


@functools.cache
def _page_contact_columns() -> tuple[Any, ...]:
    """The contact itself (``records.shown_columns``) and, correlated to its row, its owner
    and organization links: the first columns of the page's one statement, built once on
    the summary parameters."""
    tenant_id, _ = summary_parameters()
    contacts = Contact.__table__.c
    owner_row = (
        select(func.json_build_array(User.id, User.full_name, User.email, Membership.role))
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tenant_id, User.id == contacts.owner_id)
        .limit(1)
        .scalar_subquery()
    )
    return (*records.shown_columns(tenant_id), _link_rows(), owner_row)


@functools.cache
def _page_where() -> tuple[Any, ...]:
    tenant_id, contact_id = summary_parameters()
    contacts = Contact.__table__.c
    return (contacts.tenant_id == tenant_id, contacts.id == contact_id,
            contacts.deleted_at.is_(None))


async def read_page(
    session: AsyncSession, actor: Principal, hooks: TenantHooks, contact_id: uuid.UUID
) -> tuple[records.ContactRead, Owner | None, list[OrganizationLink], dict[str, Any]]:
    """The whole contact page in one statement: the contact and its lists (plain Core
    columns, ``records.shown_columns``), its owner and organizations, and every area's
    ``activity`` section — a Core statement in the session's transaction whose every part
    filters by the tenant (forced RLS the second lock). 404 when no live contact has this
    id in the caller's tenant. Areas are asked for their sections before the contact is
    known to exist, as for any page: they get the tenant-scoped query either way."""
    query = ContactSummaryQuery(actor.tenant_id, contact_id, session, actor)
    answers = await hooks.call_each("rapport_contact_summary", query=query)
    columns = _page_contact_columns()
    statement = _page_statement(columns, tuple(summary_expressions(answers)))
    # Sent straight through the transaction's connection (rapport.db.direct).
    row = await direct.fetch_one(session, statement, query.parameters)
    if row is None:
        raise not_found("Contact")
    shown = len(records.READ_COLUMNS) + len(records.LIST_LABELS)
    owner_of, links = _relations_of((row[shown], row[shown + 1]))
    return (records.read_values(row[:shown]), owner_of, links,
            _merged(shape_summaries(answers, row[len(columns):])))


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
        found = _PAGES[key] = select(*parts).where(*_page_where())
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
