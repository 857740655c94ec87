"""A contact with its list values (emails, phones, tags), loaded and written together.

Lists are written as differences against the stored rows, so an address kept across an
edit keeps its row, and the per-tenant unique address never clashes with itself.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from types import SimpleNamespace
from typing import Any, Protocol, cast

from sqlalchemy import Insert, Select, Uuid, bindparam, delete, func, insert, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts.models import Contact, ContactEmail, ContactPhone, ContactTag
from rapport.core.contacts.values import EmailValue, PhoneValue
from rapport.db.base import new_id
from rapport.db.session import PREFILTERED


class ContactValues(Protocol):
    """A contact's stored values as the read side uses them: the ORM entity, or a row of
    the ``contacts`` columns read with Core (``ContactRead``: no entity, no identity map;
    a row's attributes are its columns' names, which are the entity's)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def tenant_id(self) -> uuid.UUID: ...
    @property
    def honorific(self) -> str | None: ...
    @property
    def given_name(self) -> str | None: ...
    @property
    def patronymic(self) -> str | None: ...
    @property
    def family_name(self) -> str | None: ...
    @property
    def preferred_name(self) -> str | None: ...
    @property
    def display_name(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def birthday(self) -> date | None: ...
    @property
    def language(self) -> str | None: ...
    @property
    def time_zone(self) -> str | None:
        """The contact's IANA time zone, if given."""
    @property
    def window_start(self) -> time | None:
        """The start of the preferred sending window (local time)."""
    @property
    def window_end(self) -> time | None:
        """The end of the preferred sending window (local time)."""
    @property
    def window_days(self) -> list[int] | None:
        """The window's ISO weekdays (1 = Monday); None: every day."""
    @property
    def addresses(self) -> list[dict[str, Any]]: ...
    @property
    def owner_id(self) -> uuid.UUID | None: ...
    @property
    def source(self) -> str | None: ...
    @property
    def external_id(self) -> str | None: ...
    @property
    def fields(self) -> dict[str, Any]: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...


def _snapshot(
    c: ContactValues, emails: list[EmailValue], phones: list[PhoneValue], tags: list[str]
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "honorific": c.honorific,
        "given_name": c.given_name,
        "patronymic": c.patronymic,
        "family_name": c.family_name,
        "preferred_name": c.preferred_name,
        "email": c.email,
        "other_emails": [e.address for e in emails if not e.primary] or None,
        "phones": [p.number for p in phones] or None,
        "birthday": c.birthday,
        "language": c.language,
        "addresses": list(c.addresses or []) or None,
        "tags": list(tags) or None,
        "owner_id": c.owner_id,
        "source": c.source,
        "external_id": c.external_id,
    }
    values.update({f"fields.{k}": v for k, v in (c.fields or {}).items()})
    return {k: v for k, v in values.items() if v is not None}


@dataclass
class ContactRecord:
    contact: Contact
    emails: list[EmailValue] = field(default_factory=list)
    phones: list[PhoneValue] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    # Created in this transaction: it has no stored list rows to compare with yet.
    new: bool = False

    @property
    def id(self) -> uuid.UUID:
        return self.contact.id

    def snapshot(self) -> dict[str, Any]:
        """What the audit log and the facts compare. Derived values (display name) are left
        out; empty lists count as absent, like empty scalars."""
        return _snapshot(self.contact, self.emails, self.phones, self.tags)


@dataclass
class ContactRead:
    """A contact read only to be shown (the API's contact page and list): its columns as a
    Core row, its lists beside it. Nothing here is written back."""

    contact: ContactValues
    emails: list[EmailValue]
    phones: list[PhoneValue]
    tags: list[str]

    @property
    def id(self) -> uuid.UUID:
        return self.contact.id

    def snapshot(self) -> dict[str, Any]:
        """As ``ContactRecord.snapshot``."""
        return _snapshot(self.contact, self.emails, self.phones, self.tags)


Shown = ContactRecord | ContactRead


def _lists(tenant_id: Any) -> tuple[Any, Any, Any]:
    """The contact's emails, phones (``[value, primary, label]`` each, primary first) and
    tags (sorted), as aggregates correlated to ``contacts`` in the enclosing query."""
    emails = (
        select(func.coalesce(
            func.json_agg(aggregate_order_by(
                func.json_build_array(ContactEmail.address, ContactEmail.is_primary,
                                      ContactEmail.label),
                ContactEmail.is_primary.desc(), ContactEmail.id,
            )),
            literal_column("'[]'::json"),
        ))
        .where(ContactEmail.tenant_id == tenant_id, ContactEmail.contact_id == Contact.id)
        .scalar_subquery()
    )
    phones = (
        select(func.coalesce(
            func.json_agg(aggregate_order_by(
                func.json_build_array(ContactPhone.number, ContactPhone.is_primary,
                                      ContactPhone.label),
                ContactPhone.is_primary.desc(), ContactPhone.id,
            )),
            literal_column("'[]'::json"),
        ))
        .where(ContactPhone.tenant_id == tenant_id, ContactPhone.contact_id == Contact.id)
        .scalar_subquery()
    )
    tags = (
        select(func.coalesce(func.array_agg(aggregate_order_by(ContactTag.tag, ContactTag.tag)),
                             literal_column("'{}'::varchar[]")))
        .where(ContactTag.tenant_id == tenant_id, ContactTag.contact_id == Contact.id)
        .scalar_subquery()
    )
    return emails, phones, tags


def _filled(contact: Contact, emails: Any, phones: Any, tags: Any) -> ContactRecord:
    return ContactRecord(
        contact,
        [EmailValue(a, p, label) for a, p, label in emails],
        [PhoneValue(n, p, label) for n, p, label in phones],
        list(tags),
    )


TENANT = "records_tenant_id"
CONTACT = "records_contact_id"
CONTACTS = "records_contact_ids"


@functools.cache
def _page_lists() -> Select[Any]:
    tenant_id = bindparam(TENANT, type_=Uuid())
    return (
        select(Contact.id, *_lists(tenant_id))
        .where(
            Contact.tenant_id == tenant_id,
            Contact.id.in_(bindparam(CONTACTS, expanding=True, type_=Uuid())),
        )
        .execution_options(**{PREFILTERED: True})
    )


@functools.cache
def _one(lock: bool) -> Select[Any]:
    tenant_id = bindparam(TENANT, type_=Uuid())
    query = (
        select(Contact, *_lists(tenant_id))
        .where(Contact.tenant_id == tenant_id, Contact.id == bindparam(CONTACT, type_=Uuid()),
               Contact.deleted_at.is_(None))
        .execution_options(**{PREFILTERED: True})
    )
    return query.with_for_update(of=Contact) if lock else query


# What the read side shows of a contact (``ContactValues``), and its lists' labels.
READ_COLUMNS = (
    "id", "tenant_id", "honorific", "given_name", "patronymic", "family_name",
    "preferred_name", "display_name", "email", "birthday", "language", "time_zone",
    "window_start", "window_end", "window_days", "addresses",
    "owner_id", "source", "external_id", "fields", "created_at", "updated_at",
)
LIST_LABELS = ("record_emails", "record_phones", "record_tags")


@functools.cache
def read_shape() -> tuple[Any, ...]:
    """The columns of a contact list read as rows (``ContactRead``): the contact's mapped
    columns — the statement stays ORM-enabled, so the session's tenant criteria still
    applies — and its lists, correlated to the row's own tenant and id. Built once."""
    lists = _lists(Contact.tenant_id)
    return (
        *(getattr(Contact, name) for name in READ_COLUMNS),
        *(column.label(label) for column, label in zip(lists, LIST_LABELS, strict=True)),
    )


def read(row: Any) -> ContactRead:
    """A row of ``read_shape`` (or the values of ``shown_columns``) as the record the API
    shows."""
    emails, phones, tags = (getattr(row, label) for label in LIST_LABELS)
    return ContactRead(
        cast(ContactValues, row),
        [EmailValue(a, p, label) for a, p, label in emails],
        [PhoneValue(n, p, label) for n, p, label in phones],
        list(tags),
    )


def shown_columns(tenant_id: Any) -> tuple[Any, ...]:
    """A contact's ``READ_COLUMNS`` as plain Core columns of ``contacts`` and its lists
    (labelled ``LIST_LABELS``, filtered by ``tenant_id``, a bind parameter), for a statement
    that reads one contact ``WHERE`` its tenant and id."""
    table = Contact.__table__.c
    return (
        *(table[name] for name in READ_COLUMNS),
        *(column.label(label)
          for column, label in zip(_lists(tenant_id), LIST_LABELS, strict=True)),
    )


def read_values(values: Sequence[Any]) -> ContactRead:
    """The record from the first values of a row of ``shown_columns`` (in their order),
    whatever else the row selects after them."""
    named = dict(zip((*READ_COLUMNS, *LIST_LABELS), values, strict=False))
    return read(SimpleNamespace(**named))


async def load(
    session: AsyncSession, tenant_id: uuid.UUID, contacts: Sequence[Contact]
) -> list[ContactRecord]:
    """Records for ``contacts`` (one page): their lists in one statement, whatever the
    page size (built once; each call binds its values)."""
    if not contacts:
        return []
    rows = await session.execute(
        _page_lists(), {TENANT: tenant_id, CONTACTS: [c.id for c in contacts]}
    )
    lists = {contact_id: rest for contact_id, *rest in rows}
    return [_filled(c, *lists.get(c.id, ([], [], []))) for c in contacts]


async def load_one(
    session: AsyncSession, tenant_id: uuid.UUID, contact_id: uuid.UUID, *, lock: bool = False
) -> ContactRecord | None:
    """One contact and its lists in one statement (``lock``: FOR UPDATE of the contact)."""
    row = (await session.execute(_one(lock), {TENANT: tenant_id, CONTACT: contact_id})).first()
    return None if row is None else _filled(*row)


async def _sync_rows(
    session: AsyncSession,
    model: type[ContactEmail] | type[ContactPhone],
    key_column: str,
    contact: Contact,
    wanted: Mapping[str, Mapping[str, Any]],
    *,
    new: bool = False,
) -> None:
    """Make the contact's rows of ``model`` match ``wanted`` (key → other column values):
    delete what is gone, add what is new, update the rest in place (``new``: the contact
    was just created, nothing is stored to compare with)."""
    stored: dict[str, Any] = {}
    if not new:
        rows = await session.execute(
            select(model).where(model.tenant_id == contact.tenant_id,
                                model.contact_id == contact.id)
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
    await _sync_rows(session, ContactEmail, "address_key", c, wanted, new=record.new)
    record.emails = list(emails)
    c.email = next((e.address for e in emails if e.primary), None)


async def write_phones(
    session: AsyncSession, record: ContactRecord, phones: Sequence[PhoneValue]
) -> None:
    wanted = {p.number: {"is_primary": p.primary, "label": p.label} for p in phones}
    await _sync_rows(session, ContactPhone, "number", record.contact, wanted, new=record.new)
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


def new_list_inserts(
    record: ContactRecord,
    emails: Sequence[EmailValue] | None,
    phones: Sequence[PhoneValue] | None,
    tags: Sequence[str] | None,
) -> list[Insert]:
    """The rows ``write_emails``, ``write_phones`` and ``write_tags`` would add for a contact
    created in this transaction, as INSERTs a caller may send as one statement (ids made
    here); the record then holds the lists, as after those calls."""
    if not record.new:
        raise ValueError("only a contact created in this transaction has no rows to compare")
    c = record.contact
    if c.id is None:  # not flushed yet: its id now, as the column default would make it
        c.id = new_id()
    base = {"tenant_id": c.tenant_id, "contact_id": c.id}
    out: list[Insert] = []
    if emails is not None:
        by_key = {e.key: e for e in emails}
        if by_key:
            out.append(insert(ContactEmail).values([
                {**base, "id": new_id(), "address_key": key, "address": e.address,
                 "is_primary": e.primary, "label": e.label}
                for key, e in by_key.items()
            ]))
        record.emails = list(emails)
        c.email = next((e.address for e in emails if e.primary), None)
    if phones is not None:
        by_number = {p.number: p for p in phones}
        if by_number:
            out.append(insert(ContactPhone).values([
                {**base, "id": new_id(), "number": number, "is_primary": p.primary,
                 "label": p.label}
                for number, p in by_number.items()
            ]))
        record.phones = list(phones)
    if tags is not None:
        if tags:
            out.append(insert(ContactTag).values([
                {**base, "id": new_id(), "tag": tag} for tag in dict.fromkeys(tags)
            ]))
        record.tags = sorted(tags)
    return out
