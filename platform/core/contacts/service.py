"""Contact actions: every lookup is scoped by the acting principal's tenant.

Each write validates everything first (422 naming the field), then changes the contact and
its lists, keeps the search terms in step, and records the audit entry, the facts (with
their provenance) and the domain event — all in the caller's transaction. ``upsert_contact``
is the door for imports and integrations: one call per row, keyed by ``external_id`` or
email.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Insert, delete, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit, facts
from rapport.core.contacts import duplicates, names, preferences, records
from rapport.core.contacts import values as v

# The list query lives in ``listing``; re-exported here, where callers have found it.
from rapport.core.contacts.listing import (
    ENTITY,
    ContactPage,
    list_contacts,
    list_rows,
    list_statement,
    query_targets,
)
from rapport.core.contacts.models import Contact, ContactEmail
from rapport.core.contacts.records import ContactRecord
from rapport.core.contacts.search import index as search_index
from rapport.core.events import emit
from rapport.core.fields import service as fields
from rapport.core.fields.definitions import FieldDefinition, RecordView
from rapport.errors import conflict, invalid, not_found
from rapport.hooks import CONTACT_CREATED, CONTACT_DELETED, CONTACT_UPDATED, TenantHooks
from rapport.tenancy.principal import Principal

__all__ = [
    "ENTITY",
    "ContactPage",
    "WriteOptions",
    "create_contact",
    "delete_contact",
    "get_contact",
    "get_record",
    "list_contacts",
    "list_rows",
    "list_statement",
    "query_targets",
    "record_view",
    "shown_fields",
    "update_contact",
    "upsert_contact",
]

OWNER_RULE = "must be the user id of a member of this organization"
# Changing one of these changes what the contact is found by.
SEARCHABLE = frozenset({*v.NAMES, "email", "emails", "phones"})
UNIQUE_MESSAGES = {
    "uq_contacts_tenant_id_email": ("email", "A contact with this email already exists"),
    "uq_contact_emails_tenant_id_address_key": (
        "emails",
        "A contact with this email already exists",
    ),
    "uq_contacts_tenant_id_external_id": (
        "external_id",
        "A contact with this external_id already exists",
    ),
}


@dataclass(frozen=True)
class WriteOptions:
    """How a write is made: its provenance, the phone region for national numbers (else
    the tenant's), whether possible duplicates may be created, and whether to refresh the
    search terms now (a bulk import may refresh once per batch instead)."""

    provenance: facts.Provenance = field(default_factory=facts.Provenance)
    region: str | None = None
    allow_duplicate: bool = False
    refresh_search: bool = True


def _refused(exc: IntegrityError) -> Exception | None:
    name = getattr(getattr(exc.orig, "diag", None), "constraint_name", None) or ""
    if name.startswith("fk_contacts_tenant_id_owner_id"):
        return invalid("owner_id", OWNER_RULE)
    if name in UNIQUE_MESSAGES:
        # Unique keys include tenant_id, so this is about the caller's own data.
        return conflict(UNIQUE_MESSAGES[name][1], field=UNIQUE_MESSAGES[name][0])
    return None


async def flush_unique(session: AsyncSession, *statements: Insert) -> None:
    """Flush, then send ``statements`` as one (a CTE chain): a broken unique key or
    owner answers 409 / 422. (``begin_nested`` autoflushes before its SAVEPOINT, and an
    empty savepoint is never sent, so the writes are not in a savepoint; the statements
    are sent after it, as the flush of ``session.add``-ed rows would have been.)"""
    try:
        async with session.begin_nested():
            await session.flush()
        if statements:
            first, *rest = statements
            ctes = [other.cte(f"list_{n}") for n, other in enumerate(rest)]
            await session.execute(first.add_cte(*ctes) if ctes else first)
    except IntegrityError as exc:
        refused = _refused(exc)
        if refused is not None:
            raise refused from exc
        raise


async def get_contact(
    session: AsyncSession, actor: Principal, contact_id: uuid.UUID, *, lock: bool = False
) -> Contact:
    query = select(Contact).where(
        Contact.tenant_id == actor.tenant_id, Contact.id == contact_id, Contact.deleted_at.is_(None)
    )
    if lock:
        query = query.with_for_update()
    contact = (await session.execute(query)).scalar_one_or_none()
    if contact is None:
        raise not_found("Contact")
    return contact


async def get_record(
    session: AsyncSession, actor: Principal, contact_id: uuid.UUID, *, lock: bool = False
) -> ContactRecord:
    record = await records.load_one(session, actor.tenant_id, contact_id, lock=lock)
    if record is None:
        raise not_found("Contact")
    return record


async def _region(session: AsyncSession, actor: Principal, options: WriteOptions) -> str | None:
    return options.region or (await preferences.defaults(session, actor)).phone_region


@dataclass
class Prepared:
    """Validated changes, nothing written yet (``None``: that list is left as it is)."""

    scalars: dict[str, Any]
    emails: list[v.EmailValue] | None = None
    phones: list[v.PhoneValue] | None = None
    tags: list[str] | None = None
    addresses: list[dict[str, Any]] | None = None
    field_changes: dict[str, Any] | None = None


async def _prepare(
    session: AsyncSession,
    actor: Principal,
    record: ContactRecord,
    changes: Mapping[str, Any],
    definitions: Sequence[FieldDefinition],
    options: WriteOptions,
    *,
    partial: bool,
) -> Prepared:
    """Validate every change (a 422 names the field) before anything is written."""
    out = Prepared(v.clean_scalars(changes), v.compose_emails(record.emails, changes))
    if "phones" in changes:
        region = await _region(session, actor, options)
        out.phones = v.clean_phones(changes["phones"] or [], region)
    if "tags" in changes:
        out.tags = v.clean_tags(changes["tags"] or [])
    if "addresses" in changes:
        out.addresses = v.clean_addresses(changes["addresses"] or [])
    owner = out.scalars.get("owner_id")
    if owner is not None and owner != record.contact.owner_id:
        await v.check_owner(session, actor.tenant_id, owner)
    if changes.get("fields") or not partial:
        out.field_changes = await fields.prepare_values(
            session, actor.tenant_id, definitions, changes.get("fields") or {}, partial=partial
        )
    named = any(
        out.scalars[k] if k in out.scalars else getattr(record.contact, k)
        for k in ("given_name", "family_name", "preferred_name", "patronymic")
    )
    emails = record.emails if out.emails is None else out.emails
    phones = record.phones if out.phones is None else out.phones
    if not (named or emails or phones):
        raise invalid("given_name", "a contact needs a name, an email or a phone number")
    return out


async def _apply(session: AsyncSession, record: ContactRecord, prepared: Prepared) -> None:
    c = record.contact
    for key, value in prepared.scalars.items():
        setattr(c, key, value)
    if prepared.addresses is not None:
        c.addresses = prepared.addresses
    if prepared.field_changes is not None:
        # A new dict, so SQLAlchemy sees the JSONB column change.
        c.fields = fields.merge(c.fields or {}, prepared.field_changes)
    if prepared.emails is not None:
        c.email = next((e.address for e in prepared.emails if e.primary), None)
    # Named before the row is written (the same rule as below, with the phones about to
    # be stored), so a new row is not written twice.
    phones = prepared.phones if prepared.phones is not None else record.phones
    c.display_name = names.display_name(
        record.snapshot(), c.email, phones[0].number if phones else None)[:500]
    # The contact row first, so its unique keys answer 409 before the lists are touched.
    if record.new:
        # The contact row, then its emails, phones and tags in one statement.
        await flush_unique(session, *records.new_list_inserts(
            record, prepared.emails, prepared.phones, prepared.tags))
    else:
        await flush_unique(session)
        if prepared.emails is not None:
            await records.write_emails(session, record, prepared.emails)
        if prepared.phones is not None:
            await records.write_phones(session, record, prepared.phones)
        if prepared.tags is not None:
            await records.write_tags(session, record, prepared.tags)
        await flush_unique(session)
    phone = record.phones[0].number if record.phones else None
    c.display_name = names.display_name(record.snapshot(), c.email, phone)[:500]


async def _check_duplicates(
    session: AsyncSession, actor: Principal, prepared: Prepared
) -> None:
    s = prepared.scalars
    found = await duplicates.candidates(
        session,
        actor.tenant_id,
        email_keys=[e.key for e in prepared.emails or []],
        phones=[p.number for p in prepared.phones or []],
        name=duplicates.PersonName(
            s.get("given_name"), s.get("patronymic"), s.get("family_name"), s.get("preferred_name")
        ),
        birthday=s.get("birthday"),
    )
    if found:
        raise conflict(
            "This person may already be a contact; send ?allow_duplicate=true to create them "
            "anyway",
            candidates=[
                {"id": str(x.id), "display_name": x.display_name, "email": x.email,
                 "reason": x.reason, "score": x.score}
                for x in found
            ],
        )


async def _record_change(
    session: AsyncSession,
    actor: Principal,
    record: ContactRecord,
    before: dict[str, Any],
    action: str,
    options: WriteOptions,
) -> dict[str, list[Any]]:
    changed = audit.diff(before, record.snapshot())
    if changed:
        await audit.record(session, actor, action, ENTITY, record.id, changed)
        await facts.record(session, actor, record.id, changed, options.provenance)
    return changed


async def _reload_if_expired(session: AsyncSession, contact: Contact) -> None:
    """The mapper's eager defaults bring created_at / updated_at back with the write, so
    a SELECT is needed only when something left an attribute unloaded."""
    if inspect(contact).expired_attributes:
        await session.refresh(contact)


async def create_contact(
    session: AsyncSession,
    actor: Principal,
    data: Mapping[str, Any],
    definitions: Sequence[FieldDefinition],
    hooks: TenantHooks,
    options: WriteOptions | None = None,
) -> ContactRecord:
    """Create a contact; 409 with ``candidates`` when it may exist already (unless
    ``options.allow_duplicate``)."""
    actor.require_writer()
    options = options or WriteOptions()
    await facts.check_provenance(session, actor, options.provenance)
    record = ContactRecord(
        Contact(tenant_id=actor.tenant_id, created_by=actor.user_id, fields={}, addresses=[]),
        new=True,
    )
    prepared = await _prepare(
        session, actor, record, data, definitions, options, partial=False
    )
    if not options.allow_duplicate:
        await _check_duplicates(session, actor, prepared)
    session.add(record.contact)
    await _apply(session, record, prepared)
    await session.flush()
    await _reload_if_expired(session, record.contact)
    if options.refresh_search:
        c = record.contact
        terms = search_index.new_contact_terms(
            (c.given_name, c.patronymic, c.family_name, c.preferred_name),
            [e.key for e in record.emails], [p.number for p in record.phones],
        )
        await search_index.add_new(session, actor.tenant_id, record.id, terms)
    # The audit entry, the facts and the outbox row in one statement.
    snapshot = record.snapshot()
    changed = audit.diff({}, snapshot)
    together = []
    if changed:
        together.append(audit.entry(actor, audit.CREATE, ENTITY, record.id, changed)[0])
        made = facts.statement(actor, record.id, changed, options.provenance)
        if made is not None:
            together.append(made)
    await emit(session, actor, hooks, CONTACT_CREATED, ENTITY, record.id,
               audit.jsonable(snapshot), together=together)
    return record


async def update_contact(
    session: AsyncSession,
    actor: Principal,
    contact_id: uuid.UUID,
    changes: Mapping[str, Any],
    definitions: Sequence[FieldDefinition],
    hooks: TenantHooks,
    options: WriteOptions | None = None,
) -> ContactRecord:
    """Change only what ``changes`` names; ``None`` clears a value."""
    actor.require_writer()
    options = options or WriteOptions()
    await facts.check_provenance(session, actor, options.provenance)
    record = await get_record(session, actor, contact_id, lock=True)
    before = record.snapshot()
    prepared = await _prepare(
        session, actor, record, changes, definitions, options, partial=True
    )
    await _apply(session, record, prepared)
    await session.flush()
    await _reload_if_expired(session, record.contact)
    if options.refresh_search and SEARCHABLE & set(changes):
        await search_index.refresh(session, actor.tenant_id, [record.id])
    changed = await _record_change(session, actor, record, before, audit.UPDATE, options)
    if changed:
        await emit(session, actor, hooks, CONTACT_UPDATED, ENTITY, record.id,
                   {"changes": changed})
    return record


async def delete_contact(
    session: AsyncSession,
    actor: Principal,
    contact_id: uuid.UUID,
    hooks: TenantHooks,
) -> None:
    """Moves the contact to the trash (``rapport.core.trash``): gone from every list,
    restorable until purged. Its addresses wait in ``trash_emails`` (their rows go, so a
    new contact may take one); the search terms go."""
    actor.require_writer()
    record = await get_record(session, actor, contact_id, lock=True)
    before = record.snapshot()
    record.contact.trash_emails = [
        {"address": e.address, "is_primary": e.primary, "label": e.label}
        for e in record.emails
    ]
    await session.execute(
        delete(ContactEmail)
        .where(ContactEmail.tenant_id == actor.tenant_id, ContactEmail.contact_id == contact_id)
        .execution_options(synchronize_session=False)
    )
    await search_index.forget(session, actor.tenant_id, [contact_id])
    record.contact.move_to_trash(actor.user_id)
    await session.flush()
    await audit.record(session, actor, audit.DELETE, ENTITY, contact_id, audit.diff(before, {}))
    await emit(session, actor, hooks, CONTACT_DELETED, ENTITY, contact_id,
               audit.jsonable(before))


async def _find_by_key(
    session: AsyncSession, actor: Principal, key: str, data: Mapping[str, Any]
) -> uuid.UUID | None:
    if key == "external_id":
        external = v.clean_scalars({"external_id": data.get("external_id")})["external_id"]
        if external is None:
            raise invalid("external_id", "required to match contacts by external_id")
        query = select(Contact.id).where(
            Contact.tenant_id == actor.tenant_id,
            Contact.external_id == external,
            Contact.deleted_at.is_(None),
        )
    else:
        if not data.get("email"):
            raise invalid("email", "required to match contacts by email")
        address_key = v.clean_email(data["email"], "email").lower()
        query = select(ContactEmail.contact_id).where(
            ContactEmail.tenant_id == actor.tenant_id, ContactEmail.address_key == address_key
        )
    return (await session.execute(query)).scalar_one_or_none()


async def upsert_contact(
    session: AsyncSession,
    actor: Principal,
    data: Mapping[str, Any],
    definitions: Sequence[FieldDefinition],
    hooks: TenantHooks,
    *,
    key: Literal["external_id", "email"] = "external_id",
    options: WriteOptions | None = None,
) -> tuple[ContactRecord, bool]:
    """Update the contact with this ``external_id`` (or email), else create it; returns the
    record and whether it was created. Updates change only the values sent."""
    options = options or WriteOptions(
        provenance=facts.Provenance(channel="import"), allow_duplicate=True
    )
    existing = await _find_by_key(session, actor, key, data)
    if existing is not None:
        updated = await update_contact(session, actor, existing, data, definitions, hooks, options)
        return updated, False
    return await create_contact(session, actor, data, definitions, hooks, options), True


def record_view(contact: records.ContactValues) -> RecordView:
    return RecordView(
        id=contact.id,
        entity=ENTITY,
        attributes={
            "given_name": contact.given_name,
            "family_name": contact.family_name,
            "patronymic": contact.patronymic,
            "preferred_name": contact.preferred_name,
            "display_name": contact.display_name,
            "email": contact.email,
            "birthday": contact.birthday,
            "language": contact.language,
            "source": contact.source,
            "external_id": contact.external_id,
            "owner_id": contact.owner_id,
            "created_at": contact.created_at,
            "updated_at": contact.updated_at,
        },
        fields=contact.fields or {},
    )


async def shown_fields(
    session: AsyncSession,
    actor: Principal,
    definitions: Sequence[FieldDefinition],
    contacts: Sequence[records.ContactValues],
) -> list[dict[str, Any]]:
    """Each contact's ``fields`` as the caller sees them, computed fields included."""
    views = [record_view(c) for c in contacts]
    return await fields.render(session, actor.tenant_id, definitions, views)
