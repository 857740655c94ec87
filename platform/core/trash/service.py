"""Trash actions: list what a tenant deleted, restore it, purge it now, and the worker's
purge of records older than ``RAPPORT_TRASH_DAYS``.

Every statement names the tenant (``tenant_id = …``) and forced RLS is the second lock:
another tenant's id answers 404 exactly like an unknown one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import delete, func, insert, literal, select, text, union_all
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.core import audit, pagination
from rapport.core.audit.models import AuditEvent
from rapport.core.contacts.models import Contact, ContactEmail, ContactOrganization, Organization
from rapport.core.contacts.search import index as search_index
from rapport.core.deals.models import Deal
from rapport.core.events import emit
from rapport.core.modules.enabled import enabled_modules
from rapport.core.workflows.models import WorkflowInstance
from rapport.db.base import new_id
from rapport.db.session import tenant_session
from rapport.errors import conflict, not_found
from rapport.hooks import PluginRegistry, TenantHooks
from rapport.hooks.events import (
    CONTACT_PURGED,
    CONTACT_RESTORED,
    DEAL_PURGED,
    DEAL_RESTORED,
    ORGANIZATION_PURGED,
    ORGANIZATION_RESTORED,
)
from rapport.settings import _env_int
from rapport.tenancy.principal import Principal

log = structlog.get_logger("rapport.worker")

RESTORE = "restore"
PURGE = "purge"
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Kind:
    name: str  # in URLs: contacts, deals, organizations
    record_type: str  # in the audit log and events
    model: Any
    label: Any  # the column shown in the trash list
    restored: str
    purged: str
    not_found: str


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("contacts", "contact", Contact, Contact.display_name, CONTACT_RESTORED,
             CONTACT_PURGED, "Contact"),
        Kind("deals", "deal", Deal, Deal.title, DEAL_RESTORED, DEAL_PURGED, "Deal"),
        Kind("organizations", "organization", Organization, Organization.name,
             ORGANIZATION_RESTORED, ORGANIZATION_PURGED, "Organization"),
    )
}


def retention_days() -> int:
    """How long a record stays restorable (``RAPPORT_TRASH_DAYS``, default 30)."""
    return max(_env_int("RAPPORT_TRASH_DAYS", DEFAULT_DAYS), 0)


def kind_of(name: str) -> Kind:
    kind = KINDS.get(name)
    if kind is None:
        raise not_found("Trashed record")
    return kind


# ------------------------------------------------------------------ the list


@dataclass(frozen=True)
class TrashedItem:
    kind: str
    id: uuid.UUID
    label: str
    deleted_at: datetime
    deleted_by: uuid.UUID | None
    purge_at: datetime


def _key(item: TrashedItem) -> tuple[Any, ...]:
    return (item.deleted_at, item.id)


async def list_trash(
    session: AsyncSession, actor: Principal, *, kind: str | None = None,
    cursor: str | None = None, limit: int = 50,
) -> pagination.Page[TrashedItem]:
    """The tenant's trashed records, most recently deleted first."""
    pagination.check_limit(limit)
    kinds = [kind_of(kind)] if kind else list(KINDS.values())
    parts = []
    for k in kinds:
        m = k.model
        query = select(
            literal(k.name).label("kind"), m.id.label("id"), k.label.label("label"),
            m.deleted_at.label("deleted_at"), m.deleted_by.label("deleted_by"),
        ).where(m.tenant_id == actor.tenant_id, m.deleted_at.is_not(None))
        if cursor:
            at, last_id = pagination.decode_position(cursor)
            query = query.where((m.deleted_at < at) | ((m.deleted_at == at) & (m.id < last_id)))
        parts.append(query.order_by(m.deleted_at.desc(), m.id.desc()).limit(limit + 1))
    both = union_all(*parts).subquery()
    rows = await session.execute(
        select(both).order_by(both.c.deleted_at.desc(), both.c.id.desc()).limit(limit + 1)
    )
    keep = timedelta(days=retention_days())
    items = [TrashedItem(r.kind, r.id, r.label or "", r.deleted_at, r.deleted_by,
                         r.deleted_at + keep) for r in rows]
    return pagination.cut(items, limit, _key)


# ------------------------------------------------------------------ restore and purge


async def _trashed(session: AsyncSession, actor: Principal, kind: Kind,
                   record_id: uuid.UUID) -> Any:
    m = kind.model
    found = (await session.execute(
        select(m).where(m.tenant_id == actor.tenant_id, m.id == record_id,
                        m.deleted_at.is_not(None)).with_for_update()
    )).scalar_one_or_none()
    if found is None:
        raise not_found(kind.not_found)
    return found


def _payload(record: Any, *, expired: bool = False) -> dict[str, Any]:
    return {
        "deleted_at": record.deleted_at.isoformat() if record.deleted_at else None,
        "deleted_by": str(record.deleted_by) if record.deleted_by else None,
        "expired": expired,
    }


async def _restore_contact(session: AsyncSession, actor: Principal, contact: Contact) -> None:
    taken = []
    for entry in contact.trash_emails or []:
        key = entry["address"].lower()
        clash = (await session.execute(
            select(ContactEmail.id).where(ContactEmail.tenant_id == actor.tenant_id,
                                          ContactEmail.address_key == key)
        )).first()
        if clash is not None:
            taken.append(entry["address"])
            continue
        session.add(ContactEmail(tenant_id=actor.tenant_id, contact_id=contact.id,
                                 address=entry["address"], address_key=key,
                                 is_primary=bool(entry.get("is_primary")),
                                 label=entry.get("label")))
    if taken:
        raise conflict("Another contact now has this email: " + ", ".join(taken),
                       field="emails")
    if contact.external_id is not None:
        clash = (await session.execute(
            select(Contact.id).where(Contact.tenant_id == actor.tenant_id,
                                     Contact.external_id == contact.external_id,
                                     Contact.deleted_at.is_(None))
        )).first()
        if clash is not None:
            raise conflict("Another contact now has this external_id", field="external_id")
    contact.trash_emails = None


async def restore(
    session: AsyncSession, actor: Principal, kind_name: str, record_id: uuid.UUID,
    hooks: TenantHooks,
) -> TrashedItem:
    """Bring a trashed record back (writers); 409 when a live record took its unique
    values meanwhile (an email, an external_id)."""
    actor.require_writer()
    kind = kind_of(kind_name)
    record = await _trashed(session, actor, kind, record_id)
    payload = _payload(record)
    item = TrashedItem(kind.name, record.id, getattr(record, kind.label.key) or "",
                       record.deleted_at, record.deleted_by, record.deleted_at)
    if isinstance(record, Contact):
        await _restore_contact(session, actor, record)
    elif isinstance(record, Organization) and record.external_id is not None:
        clash = (await session.execute(
            select(Organization.id).where(Organization.tenant_id == actor.tenant_id,
                                          Organization.external_id == record.external_id,
                                          Organization.deleted_at.is_(None))
        )).first()
        if clash is not None:
            raise conflict("Another organization now has this external_id",
                           field="external_id")
    record.deleted_at = None
    record.deleted_by = None
    await session.flush()
    if isinstance(record, Contact):
        await search_index.refresh(session, actor.tenant_id, [record.id])
    elif isinstance(record, Organization):
        people = await _people(session, actor.tenant_id, record.id)
        await search_index.refresh(session, actor.tenant_id, people)
    await audit.record(session, actor, RESTORE, kind.record_type, record_id, {}, payload)
    await emit(session, actor, hooks, kind.restored, kind.record_type, record_id, payload)
    return item


async def _people(session: AsyncSession, tenant_id: uuid.UUID,
                  organization_id: uuid.UUID) -> list[uuid.UUID]:
    return list((await session.execute(
        select(ContactOrganization.contact_id).where(
            ContactOrganization.tenant_id == tenant_id,
            ContactOrganization.organization_id == organization_id)
    )).scalars())


async def _remove(session: AsyncSession, tenant_id: uuid.UUID, kind: Kind, record: Any) -> None:
    """Delete the row for good (its dependants go as a hard delete always took them)."""
    people: list[uuid.UUID] = []
    if isinstance(record, Organization):
        people = await _people(session, tenant_id, record.id)
    await session.delete(record)
    await session.flush()
    if isinstance(record, Deal):
        # Workflow instances do not reference their record: drop the deal's ones.
        await session.execute(delete(WorkflowInstance).where(
            WorkflowInstance.tenant_id == tenant_id, WorkflowInstance.record_id == record.id))
    if people:
        await search_index.refresh(session, tenant_id, people)


async def purge(
    session: AsyncSession, actor: Principal, kind_name: str, record_id: uuid.UUID,
    hooks: TenantHooks,
) -> None:
    """Delete a trashed record for good now (owners and admins)."""
    actor.require_manager()
    kind = kind_of(kind_name)
    record = await _trashed(session, actor, kind, record_id)
    payload = _payload(record)
    # The event first: its in-transaction handlers still see the record, so a plugin can
    # detach what it must keep (the retail plugin keeps a purged contact's points ledger,
    # anonymised); raising there purges nothing.
    await emit(session, actor, hooks, kind.purged, kind.record_type, record_id, payload)
    await _remove(session, actor.tenant_id, kind, record)
    await audit.record(session, actor, PURGE, kind.record_type, record_id, {}, payload)


# ------------------------------------------------------------------ the worker's purge


async def purge_tenant(
    session: AsyncSession, hooks: TenantHooks, tenant_id: uuid.UUID, cutoff: datetime,
    *, batch: int = 200,
) -> int:
    """Purge up to ``batch`` records of one tenant trashed before ``cutoff`` (in
    ``session``'s transaction, in that tenant's context); returns how many."""
    done = 0
    for kind in KINDS.values():
        if done >= batch:
            break
        m = kind.model
        records: Sequence[Any] = list((await session.execute(
            select(m).where(m.tenant_id == tenant_id, m.deleted_at < cutoff)
            .order_by(m.deleted_at).limit(batch - done).with_for_update(skip_locked=True)
        )).scalars())
        for record in records:
            payload = _payload(record, expired=True)
            await emit(session, None, hooks, kind.purged, kind.record_type, record.id,
                       payload, tenant_id=tenant_id)  # first, as in ``purge``
            await _remove(session, tenant_id, kind, record)
            await session.execute(insert(AuditEvent).values(
                tenant_id=tenant_id, id=new_id(), actor_user_id=None,
                actor_tenant_id=tenant_id, action=PURGE, record_type=kind.record_type,
                record_id=record.id, changes={}, detail=payload,
            ))
            done += 1
    return done


async def purge_expired(
    maker: async_sessionmaker[AsyncSession], registry: PluginRegistry, *,
    days: int | None = None, batch: int = 200, max_tenants: int = 100,
) -> int:
    """One pass: for each tenant with records trashed more than ``days`` ago (one
    transaction per tenant), purge up to ``batch`` of them; returns how many."""
    days = retention_days() if days is None else days
    async with tenant_session(maker, None) as session:
        now = (await session.execute(select(func.now()))).scalar_one()
        cutoff = now - timedelta(days=days)
        tenants = list((await session.execute(
            text("SELECT rapport_trash_due_tenants(:cutoff, :n)"),
            {"cutoff": cutoff, "n": max_tenants},
        )).scalars())
    purged = 0
    for tenant_id in tenants:
        async with tenant_session(maker, tenant_id) as session:
            hooks = registry.for_tenant(await enabled_modules(session, tenant_id))
            purged += await purge_tenant(session, hooks, tenant_id, cutoff, batch=batch)
    if purged:
        log.info("trash purged", count=purged)
    return purged
