"""Organization actions, scoped by the acting principal's tenant and audited (record type
``organization``). A rename re-indexes the people linked to it: contacts are found by
their organizations' names too."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Select, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit, pagination
from rapport.core.contacts.models import ContactOrganization, Organization
from rapport.core.contacts.search import index as search_index
from rapport.core.contacts.search.terms import fold, prefix_end
from rapport.core.fields.filters import bad_query
from rapport.errors import conflict, invalid, not_found
from rapport.tenancy.principal import Principal

RECORD_TYPE = "organization"
EDITABLE = ("name", "website", "industry", "notes", "external_id")


def _clean(changes: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in EDITABLE:
        if key not in changes:
            continue
        value = changes[key]
        if isinstance(value, str):
            value = value.strip() if key == "notes" else " ".join(value.split())
            value = value or None
        if key == "name" and value is None:
            raise invalid("name", "must not be empty")
        if key == "website" and value is not None:
            parts = urlsplit(value)
            if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
                raise invalid("website", "must be an http or https URL")
        out[key] = value
    return out


def _snapshot(org: Organization) -> dict[str, Any]:
    return {key: getattr(org, key) for key in EDITABLE}


async def _flush(session: AsyncSession) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        # The only unique key besides the id is (tenant_id, external_id): the caller's own.
        raise conflict("An organization with this external_id already exists",
                       field="external_id") from exc


async def get_organization(
    session: AsyncSession, actor: Principal, organization_id: uuid.UUID
) -> Organization:
    org = (
        await session.execute(
            select(Organization).where(
                Organization.tenant_id == actor.tenant_id, Organization.id == organization_id,
                Organization.deleted_at.is_(None),
            )
        )
    ).scalar_one_or_none()
    if org is None:
        raise not_found("Organization")
    return org


async def linked_contacts(
    session: AsyncSession, actor: Principal, organization_id: uuid.UUID
) -> list[uuid.UUID]:
    rows = await session.execute(
        select(ContactOrganization.contact_id).where(
            ContactOrganization.tenant_id == actor.tenant_id,
            ContactOrganization.organization_id == organization_id,
        )
    )
    return list(rows.scalars())


async def create_organization(
    session: AsyncSession, actor: Principal, data: Mapping[str, Any]
) -> Organization:
    actor.require_writer()
    values = _clean(data)
    if "name" not in values:
        raise invalid("name", "is required")
    org = Organization(tenant_id=actor.tenant_id, created_by=actor.user_id,
                       name_key=fold(values["name"])[:200], **values)
    session.add(org)
    await _flush(session)
    await session.refresh(org)
    await audit.record(session, actor, audit.CREATE, RECORD_TYPE, org.id,
                       audit.diff({}, _snapshot(org)))
    return org


async def update_organization(
    session: AsyncSession, actor: Principal, organization_id: uuid.UUID, changes: Mapping[str, Any]
) -> Organization:
    actor.require_writer()
    org = await get_organization(session, actor, organization_id)
    before = _snapshot(org)
    for key, value in _clean(changes).items():
        setattr(org, key, value)
    org.name_key = fold(org.name)[:200]
    await _flush(session)
    await session.refresh(org)
    changed = audit.diff(before, _snapshot(org))
    if changed:
        await audit.record(session, actor, audit.UPDATE, RECORD_TYPE, org.id, changed)
    if "name" in changed:
        await search_index.refresh(
            session, actor.tenant_id, await linked_contacts(session, actor, org.id)
        )
    return org


async def delete_organization(
    session: AsyncSession, actor: Principal, organization_id: uuid.UUID
) -> None:
    """Moves the organization to the trash (its links stay, hidden, until it is purged)."""
    actor.require_writer()
    org = await get_organization(session, actor, organization_id)
    before = _snapshot(org)
    people = await linked_contacts(session, actor, org.id)
    org.move_to_trash(actor.user_id)
    await session.flush()
    await search_index.refresh(session, actor.tenant_id, people)
    await audit.record(session, actor, audit.DELETE, RECORD_TYPE, organization_id,
                       audit.diff(before, {}))


def _decode(cursor: str) -> tuple[str, uuid.UUID]:
    name_key, last_id = pagination.decode(cursor, tuple[str, uuid.UUID])
    if "\x00" in name_key:
        raise pagination.bad_cursor()
    return name_key, last_id


def list_statement(
    tenant_id: uuid.UUID, *, q: str | None, cursor: str | None, limit: int
) -> Select[Organization]:
    """By name; ``q`` matches the start of the name, case- and accent-insensitively — a
    range over the tenant-led (tenant_id, name_key, id) index."""
    query = select(Organization).where(
        Organization.tenant_id == tenant_id, Organization.deleted_at.is_(None)
    )
    if q and q.strip():
        if "\x00" in q:
            raise bad_query("q", "must not contain NUL characters")
        start = " ".join(fold(q).split())
        query = query.where(Organization.name_key >= start,
                            Organization.name_key < prefix_end(start))
    if cursor:
        name_key, last_id = _decode(cursor)
        query = query.where(tuple_(Organization.name_key, Organization.id) > (name_key, last_id))
    return query.order_by(Organization.name_key, Organization.id).limit(limit + 1)


async def list_organizations(
    session: AsyncSession, actor: Principal, *, q: str | None, cursor: str | None, limit: int
) -> tuple[list[Organization], str | None]:
    rows = list((await session.execute(
        list_statement(actor.tenant_id, q=q, cursor=cursor, limit=limit)
    )).scalars())
    page = pagination.cut(rows, limit, lambda org: (org.name_key, org.id))
    return page.items, page.next_cursor
