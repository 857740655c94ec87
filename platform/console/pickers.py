"""What the deal, task and organization screens show beside their own records: names of
the customers, organizations and members they point to (one query each, tenant-scoped),
the choices their forms offer, and form values turned into the API's shapes."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.i18n import N_
from rapport.core.contacts.models import Contact, Organization
from rapport.tenancy.members import list_members
from rapport.tenancy.principal import Principal

CHOICES = 200
# Rules the deal, task and organization services answer with, shown next to the field.
FIELD_RULES = (
    N_("required when the deal has an amount"),
    N_("required when the deal has lines"),
    N_("must be an http or https URL"),
    N_("must not be empty"),
    N_("is required"),
    N_("An organization with this external_id already exists"),
)


async def contact_names(
    db: AsyncSession, principal: Principal, ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await db.execute(select(Contact.id, Contact.display_name).where(
        Contact.tenant_id == principal.tenant_id, Contact.id.in_(wanted),
        Contact.deleted_at.is_(None)))
    return {i: name for i, name in rows.all()}


async def organization_names(
    db: AsyncSession, principal: Principal, ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await db.execute(select(Organization.id, Organization.name).where(
        Organization.tenant_id == principal.tenant_id, Organization.id.in_(wanted),
        Organization.deleted_at.is_(None)))
    return {i: name for i, name in rows.all()}


async def member_names(db: AsyncSession, principal: Principal) -> dict[uuid.UUID, str]:
    """Every member's name by membership id (for owner and assignee columns and pickers)."""
    return {
        m.membership.id: m.display_name or m.user.email
        for m in await list_members(db, principal) if not m.pending
    }


async def recent_contacts(
    db: AsyncSession, principal: Principal, keep: uuid.UUID | None = None
) -> list[tuple[uuid.UUID, str]]:
    """The customers a form offers: the most recently touched ones (and the one chosen)."""
    rows: list[tuple[uuid.UUID, str]] = [(i, n) for i, n in await db.execute(
        select(Contact.id, Contact.display_name)
        .where(Contact.tenant_id == principal.tenant_id, Contact.deleted_at.is_(None))
        .order_by(Contact.updated_at.desc(), Contact.id).limit(CHOICES)
    )]
    if keep is not None and keep not in {i for i, _ in rows}:
        rows += list((await contact_names(db, principal, [keep])).items())
    return sorted(rows, key=lambda r: r[1].casefold())


async def organization_choices(
    db: AsyncSession, principal: Principal, keep: uuid.UUID | None = None
) -> list[tuple[uuid.UUID, str]]:
    rows: list[tuple[uuid.UUID, str]] = [(i, n) for i, n in await db.execute(
        select(Organization.id, Organization.name)
        .where(Organization.tenant_id == principal.tenant_id,
               Organization.deleted_at.is_(None))
        .order_by(Organization.name_key, Organization.id).limit(CHOICES)
    )]
    if keep is not None and keep not in {i for i, _ in rows}:
        rows += list((await organization_names(db, principal, [keep])).items())
    return rows


def filled(form: Mapping[str, Any], names: Iterable[str], required: str) -> dict[str, Any]:
    """The named fields that were filled in (a new record leaves the rest unset); the
    ``required`` one always, so leaving it blank is refused by its own rule."""
    out = {}
    for name in names:
        value = form.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value not in (None, "") or name == required:
            out[name] = value or ""
    return out


def patch(form: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """Every named field of an edit form; an emptied field clears the value (``None``)."""
    out = {}
    for name in names:
        if name not in form:
            continue
        value = form[name]
        if isinstance(value, str):
            value = value.strip()
        out[name] = None if value == "" else value
    return out
