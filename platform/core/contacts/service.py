"""Contact actions: every lookup is scoped by the acting principal's tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from rapport.core.contacts.models import Contact
from rapport.core.pagination import MAX_LIMIT, decode_cursor, encode_cursor
from rapport.errors import RapportError, conflict, invalid, not_found
from rapport.tenancy.principal import Principal
from rapport.tenancy.validation import normalise_email
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

EDITABLE = ("given_name", "family_name", "email")


@dataclass(frozen=True)
class ContactPage:
    items: list[Contact]
    next_cursor: str | None


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in EDITABLE:
            continue
        if isinstance(value, str):
            value = value.strip() or None
        if key == "email" and value is not None:
            value = normalise_email(value)
        out[key] = value
    return out


async def _flush_unique(session: AsyncSession) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        # Unique keys include tenant_id, so this is about the caller's own data.
        raise conflict("A contact with this email already exists") from exc


async def get_contact(session: AsyncSession, actor: Principal, contact_id: uuid.UUID) -> Contact:
    contact = (
        await session.execute(
            select(Contact).where(Contact.tenant_id == actor.tenant_id, Contact.id == contact_id)
        )
    ).scalar_one_or_none()
    if contact is None:
        raise not_found("Contact")
    return contact


async def create_contact(session: AsyncSession, actor: Principal, data: dict[str, Any]) -> Contact:
    actor.require_writer()
    values = _clean(data)
    if not (values.get("given_name") or values.get("family_name") or values.get("email")):
        raise invalid("given_name", "a contact needs a name or an email")
    contact = Contact(tenant_id=actor.tenant_id, created_by=actor.user_id, fields={}, **values)
    session.add(contact)
    await _flush_unique(session)
    await session.refresh(contact)
    return contact


async def update_contact(
    session: AsyncSession, actor: Principal, contact_id: uuid.UUID, changes: dict[str, Any]
) -> Contact:
    actor.require_writer()
    contact = await get_contact(session, actor, contact_id)
    for key, value in _clean(changes).items():
        setattr(contact, key, value)
    if not (contact.given_name or contact.family_name or contact.email):
        raise invalid("given_name", "a contact needs a name or an email")
    await _flush_unique(session)
    await session.refresh(contact)
    return contact


async def delete_contact(session: AsyncSession, actor: Principal, contact_id: uuid.UUID) -> None:
    actor.require_writer()
    contact = await get_contact(session, actor, contact_id)
    await session.delete(contact)
    await session.flush()


async def list_contacts(
    session: AsyncSession, actor: Principal, *, cursor: str | None, limit: int
) -> ContactPage:
    if not 1 <= limit <= MAX_LIMIT:
        raise RapportError(detail=f"limit: must be between 1 and {MAX_LIMIT}", status=400)
    query = select(Contact).where(Contact.tenant_id == actor.tenant_id)
    if cursor:
        query = query.where(Contact.id < decode_cursor(cursor))
    rows = (await session.execute(query.order_by(Contact.id.desc()).limit(limit + 1))).scalars()
    items = list(rows)
    more = len(items) > limit
    items = items[:limit]
    return ContactPage(items, encode_cursor(items[-1].id) if more and items else None)
