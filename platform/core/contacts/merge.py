"""Merge two records of one person: ``other`` into ``survivor``.

One survivor keeps its id; every row referencing the other — interactions, facts,
organization links, relationships, plugins' records — moves to it (``repoint``); its values
win, the other's fill the gaps (names, birthday, …, custom fields), and lists are united
(emails, phones, tags, addresses). The other contact is then deleted, so its id answers
404. The merge is one audit entry on each record (action ``merge``), facts for the values
the survivor gained, and a ``contact.merged`` event.

Cost: proportional to the rows that move (the other's), never to the survivor's history.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Text, func, literal, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit, facts
from rapport.core.contacts import names, records, repoint
from rapport.core.contacts.models import Contact, ContactEmail, ContactPhone
from rapport.core.contacts.records import ContactRecord
from rapport.core.contacts.search import index as search_index
from rapport.core.contacts.service import ENTITY, flush_unique
from rapport.core.contacts.values import SCALARS, one_primary
from rapport.core.events import emit
from rapport.core.fields.definitions import FieldDefinition, FieldType
from rapport.core.fields.models import FieldValue
from rapport.core.fields.types import reference_targets
from rapport.errors import invalid, not_found
from rapport.hooks import CONTACT_MERGED, TenantHooks
from rapport.tenancy.principal import Principal


async def _lock_both(
    session: AsyncSession, actor: Principal, survivor_id: uuid.UUID, other_id: uuid.UUID
) -> tuple[ContactRecord, ContactRecord]:
    # Always in id order, so two merges of the same pair cannot deadlock.
    rows = await session.execute(
        select(Contact)
        .where(Contact.tenant_id == actor.tenant_id, Contact.id.in_([survivor_id, other_id]),
               Contact.deleted_at.is_(None))
        .order_by(Contact.id)
        .with_for_update()
    )
    found = {c.id: c for c in rows.scalars()}
    if survivor_id not in found or other_id not in found:
        raise not_found("Contact")
    loaded = await records.load(session, actor.tenant_id, [found[survivor_id], found[other_id]])
    return loaded[0], loaded[1]


async def _repoint_references(
    session: AsyncSession,
    actor: Principal,
    definitions: Sequence[FieldDefinition],
    other_id: uuid.UUID,
    survivor_id: uuid.UUID,
) -> int:
    """Reference fields (``{"type": "contact", "id": other}``) now name the survivor."""
    changed = 0
    for d in definitions:
        if d.type != FieldType.REFERENCE or ENTITY not in reference_targets(d):
            continue
        if d.computed is not None:
            continue
        value = Contact.fields[d.full_key]["id"].astext
        match = value == str(other_id)
        if d.indexed:  # narrow through the field index first
            match = Contact.id.in_(
                select(FieldValue.record_id).where(
                    FieldValue.tenant_id == actor.tenant_id,
                    FieldValue.entity == ENTITY,
                    FieldValue.full_key == d.full_key,
                    FieldValue.ref_value == other_id,
                )
            ) & match
        result = await session.execute(
            update(Contact)
            .where(Contact.tenant_id == actor.tenant_id, match)
            .values(
                fields=func.jsonb_set(
                    Contact.fields,
                    literal([d.full_key, "id"], ARRAY(Text)),
                    func.to_jsonb(literal(str(survivor_id), Text)),
                )
            )
            .execution_options(synchronize_session=False)
        )
        changed += max(result.rowcount, 0)  # type: ignore[attr-defined]
    return changed


def _gaps(survivor: Contact, other: Contact) -> dict[str, Any]:
    """The survivor's values win; the other's fill what the survivor lacks."""
    filled: dict[str, Any] = {
        key: getattr(other, key)
        for key in SCALARS
        if getattr(survivor, key) is None and getattr(other, key) is not None
    }
    filled["fields"] = {**(other.fields or {}), **(survivor.fields or {})}
    addresses = list(survivor.addresses or [])
    filled["addresses"] = addresses + [a for a in other.addresses or [] if a not in addresses]
    return filled


async def _demote_others_primaries(
    session: AsyncSession, tenant_id: uuid.UUID, other_id: uuid.UUID
) -> None:
    # The survivor's primary address and number stay primary; moved ones join as extras.
    for table in (ContactEmail, ContactPhone):
        await session.execute(
            update(table)
            .where(table.tenant_id == tenant_id, table.contact_id == other_id)
            .values(is_primary=False)
            .execution_options(synchronize_session=False)
        )


async def merge_contacts(
    session: AsyncSession,
    actor: Principal,
    survivor_id: uuid.UUID,
    other_id: uuid.UUID,
    definitions: Sequence[FieldDefinition],
    hooks: TenantHooks,
    provenance: facts.Provenance | None = None,
) -> ContactRecord:
    actor.require_writer()
    if survivor_id == other_id:
        raise invalid("other_id", "must be another contact than the one merged into")
    provenance = provenance or facts.Provenance(channel="merge")
    await facts.check_provenance(session, actor, provenance)
    survivor, other = await _lock_both(session, actor, survivor_id, other_id)
    before, before_other = survivor.snapshot(), other.snapshot()
    tenant = actor.tenant_id

    await _demote_others_primaries(session, tenant, other_id)
    await search_index.forget(session, tenant, [other_id])
    refs = await repoint.references(session)
    moved = await repoint.repoint(session, tenant, other_id, survivor_id, refs)
    referenced = await _repoint_references(session, actor, definitions, other_id, survivor_id)

    filled = _gaps(survivor.contact, other.contact)
    # The other row goes before the survivor takes over its unique values (external_id).
    await session.delete(other.contact)
    await session.flush()
    for key, value in filled.items():
        setattr(survivor.contact, key, value)
    merged = (await records.load(session, tenant, [survivor.contact]))[0]
    emails = one_primary(merged.emails)
    await records.write_emails(session, merged, emails)
    phones = one_primary(merged.phones)
    await records.write_phones(session, merged, phones)
    phone = phones[0].number if phones else None
    c = merged.contact
    c.display_name = names.display_name(merged.snapshot(), c.email, phone)[:500]
    await flush_unique(session)
    await session.refresh(c)
    await search_index.refresh(session, tenant, [survivor_id])

    changed = audit.diff(before, merged.snapshot())
    detail: dict[str, Any] = {
        "merged_id": str(other_id),
        "moved": {name: m.moved for name, m in moved.items() if m.moved},
        "dropped": {name: m.dropped for name, m in moved.items() if m.dropped},
        "references": referenced,
    }
    await audit.record(session, actor, audit.MERGE, ENTITY, survivor_id, changed, detail)
    await audit.record(
        session, actor, audit.MERGE, ENTITY, other_id, audit.diff(before_other, {}),
        {"merged_into": str(survivor_id)},
    )
    await facts.record(session, actor, survivor_id, changed, provenance)
    await emit(session, actor, hooks, CONTACT_MERGED, ENTITY, survivor_id,
               {"survivor_id": str(survivor_id), "merged_id": str(other_id),
                "moved": detail["moved"]})
    return merged
