"""Contact actions: every lookup is scoped by the acting principal's tenant.

Custom field values ride along in ``fields``; each action takes the field definitions
visible to the caller's tenant (``rapport.core.fields.service.visible_fields``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit
from rapport.core.contacts.models import Contact
from rapport.core.events import emit
from rapport.core.fields import service as fields
from rapport.core.fields.definitions import FieldDefinition, FieldType, RecordView
from rapport.core.fields.filters import Target, core_target, field_targets, parse_filters
from rapport.core.fields.sorting import Sort, parse_sort
from rapport.core.pagination import MAX_LIMIT, decode_cursor, encode_cursor
from rapport.errors import RapportError, conflict, invalid, not_found
from rapport.hooks import CONTACT_CREATED, CONTACT_DELETED, CONTACT_UPDATED, TenantHooks
from rapport.tenancy.principal import Principal
from rapport.tenancy.validation import normalise_email

ENTITY = "contact"
EDITABLE = ("given_name", "family_name", "email")
# Core attributes a list can be filtered and sorted by, read as the field type they behave as.
QUERYABLE: dict[str, FieldType] = {
    "given_name": FieldType.TEXT,
    "family_name": FieldType.TEXT,
    "email": FieldType.EMAIL,
    "created_at": FieldType.DATETIME,
    "updated_at": FieldType.DATETIME,
}


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


def _audited(contact: Contact) -> dict[str, Any]:
    """What the audit log compares: the editable columns and each custom field by key."""
    snapshot: dict[str, Any] = {key: getattr(contact, key) for key in EDITABLE}
    snapshot.update({f"fields.{k}": v for k, v in (contact.fields or {}).items()})
    return snapshot


async def get_contact(session: AsyncSession, actor: Principal, contact_id: uuid.UUID) -> Contact:
    contact = (
        await session.execute(
            select(Contact).where(Contact.tenant_id == actor.tenant_id, Contact.id == contact_id)
        )
    ).scalar_one_or_none()
    if contact is None:
        raise not_found("Contact")
    return contact


async def create_contact(
    session: AsyncSession,
    actor: Principal,
    data: dict[str, Any],
    definitions: Sequence[FieldDefinition],
    hooks: TenantHooks | None = None,
) -> Contact:
    actor.require_writer()
    values = _clean(data)
    if not (values.get("given_name") or values.get("family_name") or values.get("email")):
        raise invalid("given_name", "a contact needs a name or an email")
    changes = await fields.prepare_values(
        session, actor.tenant_id, definitions, data.get("fields") or {}, partial=False
    )
    contact = Contact(
        tenant_id=actor.tenant_id,
        created_by=actor.user_id,
        fields=fields.merge({}, changes),
        **values,
    )
    session.add(contact)
    await _flush_unique(session)
    await session.refresh(contact)
    snapshot = _audited(contact)
    created = audit.diff({}, snapshot)
    await audit.record(session, actor, audit.CREATE, "contact", contact.id, created)
    if hooks is not None:
        await emit(session, actor, hooks, CONTACT_CREATED, "contact", contact.id, snapshot)
    return contact


async def update_contact(
    session: AsyncSession,
    actor: Principal,
    contact_id: uuid.UUID,
    changes: dict[str, Any],
    definitions: Sequence[FieldDefinition],
    hooks: TenantHooks | None = None,
) -> Contact:
    actor.require_writer()
    contact = await get_contact(session, actor, contact_id)
    before = _audited(contact)
    for key, value in _clean(changes).items():
        setattr(contact, key, value)
    if not (contact.given_name or contact.family_name or contact.email):
        raise invalid("given_name", "a contact needs a name or an email")
    if changes.get("fields"):
        field_changes = await fields.prepare_values(
            session, actor.tenant_id, definitions, changes["fields"], partial=True
        )
        # A new dict, so SQLAlchemy sees the JSONB column change.
        contact.fields = fields.merge(contact.fields or {}, field_changes)
    await _flush_unique(session)
    await session.refresh(contact)
    changed = audit.diff(before, _audited(contact))
    if changed:
        await audit.record(session, actor, audit.UPDATE, "contact", contact.id, changed)
        if hooks is not None:
            await emit(session, actor, hooks, CONTACT_UPDATED, "contact", contact.id,
                       {"changes": changed})
    return contact


async def delete_contact(
    session: AsyncSession,
    actor: Principal,
    contact_id: uuid.UUID,
    hooks: TenantHooks | None = None,
) -> None:
    actor.require_writer()
    contact = await get_contact(session, actor, contact_id)
    before = _audited(contact)
    await session.delete(contact)
    await session.flush()
    await audit.record(session, actor, audit.DELETE, "contact", contact_id, audit.diff(before, {}))
    if hooks is not None:
        await emit(session, actor, hooks, CONTACT_DELETED, "contact", contact_id, before)


def query_targets(
    tenant_id: uuid.UUID, definitions: Sequence[FieldDefinition]
) -> dict[str, Target]:
    core = {name: core_target(name, getattr(Contact, name), t) for name, t in QUERYABLE.items()}
    custom = field_targets(
        Contact.fields, definitions, record_id=Contact.id, tenant_id=tenant_id
    )
    return {**core, **custom}


def list_statement(
    tenant_id: uuid.UUID,
    definitions: Sequence[FieldDefinition],
    *,
    filters: Sequence[str] = (),
    sort: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[Select[Any], Sort | None]:
    """The list query (exposed so tests can EXPLAIN exactly what the endpoint runs).

    Without ``sort``: newest first by id, as before. With one: the sort value is selected
    as a second column so the next cursor can carry it.
    """
    targets = query_targets(tenant_id, definitions)
    conditions = parse_filters(filters, targets, definitions)
    order = parse_sort(sort, targets, definitions)
    query: Select[Any]
    if order is None:
        query = select(Contact).where(Contact.tenant_id == tenant_id, *conditions)
        if cursor:
            query = query.where(Contact.id < decode_cursor(cursor))
        return query.order_by(Contact.id.desc()).limit(limit + 1), None
    query = select(Contact, order.value.label("sort_value")).where(
        Contact.tenant_id == tenant_id, *conditions
    )
    if cursor:
        value, last_id = order.decode(cursor)
        query = query.where(order.after(Contact.id, value, last_id))
    return query.order_by(*order.order_by(Contact.id)).limit(limit + 1), order


async def list_contacts(
    session: AsyncSession,
    actor: Principal,
    definitions: Sequence[FieldDefinition],
    *,
    cursor: str | None,
    limit: int,
    filters: Sequence[str] = (),
    sort: str | None = None,
) -> ContactPage:
    if not 1 <= limit <= MAX_LIMIT:
        raise RapportError(detail=f"limit: must be between 1 and {MAX_LIMIT}", status=400)
    query, order = list_statement(
        actor.tenant_id, definitions, filters=filters, sort=sort, cursor=cursor, limit=limit
    )
    if order is None:
        items = list((await session.execute(query)).scalars())
        more = len(items) > limit
        items = items[:limit]
        return ContactPage(items, encode_cursor(items[-1].id) if more and items else None)
    rows = list((await session.execute(query)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = order.encode(rows[-1][1], rows[-1][0].id) if more and rows else None
    return ContactPage([row[0] for row in rows], next_cursor)


def record_view(contact: Contact) -> RecordView:
    return RecordView(
        id=contact.id,
        entity=ENTITY,
        attributes={
            "given_name": contact.given_name,
            "family_name": contact.family_name,
            "email": contact.email,
            "created_at": contact.created_at,
            "updated_at": contact.updated_at,
        },
        fields=contact.fields or {},
    )


async def shown_fields(
    session: AsyncSession,
    actor: Principal,
    definitions: Sequence[FieldDefinition],
    contacts: Sequence[Contact],
) -> list[dict[str, Any]]:
    """Each contact's ``fields`` as the caller sees them, computed fields included."""
    views = [record_view(c) for c in contacts]
    return await fields.render(session, actor.tenant_id, definitions, views)
