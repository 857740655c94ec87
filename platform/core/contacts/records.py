"""A contact with its list values (emails, phones, tags), loaded and written together.

Lists are written as differences against the stored rows, so an address kept across an
edit keeps its row, and the per-tenant unique address never clashes with itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts.models import Contact, ContactEmail, ContactPhone, ContactTag
from rapport.core.contacts.values import EmailValue, PhoneValue


@dataclass
class ContactRecord:
    contact: Contact
    emails: list[EmailValue] = field(default_factory=list)
    phones: list[PhoneValue] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    @property
    def id(self) -> uuid.UUID:
        return self.contact.id

    def snapshot(self) -> dict[str, Any]:
        """What the audit log and the facts compare. Derived values (display name) are left
        out; empty lists count as absent, like empty scalars."""
        c = self.contact
        values: dict[str, Any] = {
            "honorific": c.honorific,
            "given_name": c.given_name,
            "patronymic": c.patronymic,
            "family_name": c.family_name,
            "preferred_name": c.preferred_name,
            "email": c.email,
            "other_emails": [e.address for e in self.emails if not e.primary] or None,
            "phones": [p.number for p in self.phones] or None,
            "birthday": c.birthday,
            "language": c.language,
            "addresses": list(c.addresses or []) or None,
            "tags": list(self.tags) or None,
            "owner_id": c.owner_id,
            "source": c.source,
            "external_id": c.external_id,
        }
        values.update({f"fields.{k}": v for k, v in (c.fields or {}).items()})
        return {k: v for k, v in values.items() if v is not None}


async def load(
    session: AsyncSession, tenant_id: uuid.UUID, contacts: Sequence[Contact]
) -> list[ContactRecord]:
    """Records for ``contacts`` (one page), with three queries whatever the page size."""
    records = {c.id: ContactRecord(c) for c in contacts}
    if not records:
        return []
    ids = list(records)
    emails = await session.execute(
        select(ContactEmail.contact_id, ContactEmail.address, ContactEmail.is_primary,
               ContactEmail.label)
        .where(ContactEmail.tenant_id == tenant_id, ContactEmail.contact_id.in_(ids))
        .order_by(ContactEmail.is_primary.desc(), ContactEmail.id)
    )
    for contact_id, address, primary, label in emails:
        records[contact_id].emails.append(EmailValue(address, primary, label))
    phones = await session.execute(
        select(ContactPhone.contact_id, ContactPhone.number, ContactPhone.is_primary,
               ContactPhone.label)
        .where(ContactPhone.tenant_id == tenant_id, ContactPhone.contact_id.in_(ids))
        .order_by(ContactPhone.is_primary.desc(), ContactPhone.id)
    )
    for contact_id, number, primary, label in phones:
        records[contact_id].phones.append(PhoneValue(number, primary, label))
    tags = await session.execute(
        select(ContactTag.contact_id, ContactTag.tag)
        .where(ContactTag.tenant_id == tenant_id, ContactTag.contact_id.in_(ids))
        .order_by(ContactTag.tag)
    )
    for contact_id, tag in tags:
        records[contact_id].tags.append(tag)
    return [records[c.id] for c in contacts]


async def _sync_rows(
    session: AsyncSession,
    model: type[ContactEmail] | type[ContactPhone],
    key_column: str,
    contact: Contact,
    wanted: Mapping[str, Mapping[str, Any]],
) -> None:
    """Make the contact's rows of ``model`` match ``wanted`` (key → other column values):
    delete what is gone, add what is new, update the rest in place."""
    rows = await session.execute(
        select(model).where(model.tenant_id == contact.tenant_id, model.contact_id == contact.id)
    )
    stored = {getattr(row, key_column): row for row in rows.scalars()}
    for key, row in stored.items():
        if key not in wanted:
            await session.delete(row)
    for key, values in wanted.items():
        existing = stored.get(key)
        if existing is None:
            session.add(model(tenant_id=contact.tenant_id, contact_id=contact.id,
                              **{key_column: key}, **values))
        else:
            for column, value in values.items():
                setattr(existing, column, value)


async def write_emails(
    session: AsyncSession, record: ContactRecord, emails: Sequence[EmailValue]
) -> None:
    c = record.contact
    wanted = {
        e.key: {"address": e.address, "is_primary": e.primary, "label": e.label} for e in emails
    }
    await _sync_rows(session, ContactEmail, "address_key", c, wanted)
    record.emails = list(emails)
    c.email = next((e.address for e in emails if e.primary), None)


async def write_phones(
    session: AsyncSession, record: ContactRecord, phones: Sequence[PhoneValue]
) -> None:
    wanted = {p.number: {"is_primary": p.primary, "label": p.label} for p in phones}
    await _sync_rows(session, ContactPhone, "number", record.contact, wanted)
    record.phones = list(phones)


async def write_tags(session: AsyncSession, record: ContactRecord, tags: Sequence[str]) -> None:
    c = record.contact
    removed = [t for t in record.tags if t not in tags]
    if removed:
        await session.execute(
            delete(ContactTag).where(
                ContactTag.tenant_id == c.tenant_id,
                ContactTag.contact_id == c.id,
                ContactTag.tag.in_(removed),
            )
        )
    for tag in tags:
        if tag not in record.tags:
            session.add(ContactTag(tenant_id=c.tenant_id, contact_id=c.id, tag=tag))
    record.tags = sorted(tags)
