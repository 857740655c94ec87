"""The contact: a person the tenant has a relationship with, and the profile values that
come in lists (email addresses, phone numbers, tags) — among them the organizations a
person works at. The contact list filters by them, the contact page shows them and search
finds people by their names, so their tables live here; the organizations area owns what
is done with them (``rapport.core.organizations``).

Lookups the app role makes under forced RLS compare plain ``text``/``date``/``uuid``
columns with btree indexes: PostgreSQL uses a condition as an index condition there only
when its operator is LEAKPROOF, which ``citext``, ``LIKE``, ``@@`` and array operators are
not. Hence ``address_key`` beside ``address``, and tags in rows rather than an array.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, CITEXT, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped, Trashable


def _contact_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"], ondelete="CASCADE"
    )


class Contact(Trashable, TenantScoped, Base):
    __tablename__ = "contacts"
    # Server-made values (created_at, updated_at) come back with the INSERT / UPDATE
    # (RETURNING) instead of a refresh's SELECT afterwards.
    __mapper_args__ = {"eager_defaults": True}
    __table_args__ = (
        Index(
            "uq_contacts_tenant_id_email",
            "tenant_id",
            "email",
            unique=True,
            # Live contacts only: a trashed contact's address may be used again.
            postgresql_where=text("email IS NOT NULL AND deleted_at IS NULL"),
        ),
        Index(
            "uq_contacts_tenant_id_external_id",
            "tenant_id",
            "external_id",
            unique=True,
            postgresql_where=text("external_id IS NOT NULL AND deleted_at IS NULL"),
        ),
        Index("ix_contacts_tenant_id_birthday", "tenant_id", "birthday"),
        Index("ix_contacts_tenant_id_owner_id", "tenant_id", "owner_id"),
        Index("ix_contacts_tenant_id_language", "tenant_id", "language"),
        Index("ix_contacts_tenant_id_source", "tenant_id", "source"),
        # The owner is a member: their user id within this tenant's memberships. Removing
        # the member leaves the contact without an owner (only owner_id is nulled).
        ForeignKeyConstraint(
            ["tenant_id", "owner_id"],
            ["memberships.tenant_id", "memberships.user_id"],
            ondelete="SET NULL (owner_id)",
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    honorific: Mapped[str | None] = mapped_column(String(40))
    given_name: Mapped[str | None] = mapped_column(String(200))
    patronymic: Mapped[str | None] = mapped_column(String(200))
    family_name: Mapped[str | None] = mapped_column(String(200))
    preferred_name: Mapped[str | None] = mapped_column(String(200))
    # Derived from the names on every write (contacts.names.display_name), kept as a column
    # so lists can sort by it.
    display_name: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # The primary address, mirrored from contact_emails (filters, sorts and the first API
    # version read it here).
    email: Mapped[str | None] = mapped_column(CITEXT)
    birthday: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str | None] = mapped_column(String(35))
    # When messages may reach the person: an IANA zone (else the tenant's) and a local
    # window on some ISO weekdays (1 = Monday); campaigns may wait for it.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    window_start: Mapped[time | None] = mapped_column(Time)
    window_end: Mapped[time | None] = mapped_column(Time)
    window_days: Mapped[list[int] | None] = mapped_column(ARRAY(SmallInteger))
    addresses: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    owner_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    source: Mapped[str | None] = mapped_column(String(200))
    external_id: Mapped[str | None] = mapped_column(String(200))
    # Custom field values keyed by full key (``custom.shoe_size``); the plugin kernel validates.
    fields: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    # While in the trash, the contact's addresses wait here (their rows are removed, so a
    # new contact may take an address; restoring puts them back, or answers 409).
    trash_emails: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)


class ContactEmail(TenantScoped, Base):
    """One address of a contact; an address belongs to one contact per tenant."""

    __tablename__ = "contact_emails"
    __table_args__ = (
        _contact_fk(),
        UniqueConstraint("tenant_id", "address_key"),
        Index("ix_contact_emails_tenant_id_contact_id", "tenant_id", "contact_id"),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    address: Mapped[str] = mapped_column(Text)
    # Lower-cased address: what uniqueness and look-ups compare (texteq is leakproof).
    address_key: Mapped[str] = mapped_column(Text)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    label: Mapped[str | None] = mapped_column(String(40))


class ContactPhone(TenantScoped, Base):
    """One phone number (E.164) of a contact; several contacts may share a number."""

    __tablename__ = "contact_phones"
    __table_args__ = (
        _contact_fk(),
        UniqueConstraint("tenant_id", "contact_id", "number"),
        Index("ix_contact_phones_tenant_id_number", "tenant_id", "number"),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    number: Mapped[str] = mapped_column(String(20))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    label: Mapped[str | None] = mapped_column(String(40))


class ContactTag(TenantScoped, Base):
    __tablename__ = "contact_tags"
    __table_args__ = (
        _contact_fk(),
        UniqueConstraint("tenant_id", "contact_id", "tag"),
        Index("ix_contact_tags_tenant_id_tag_contact_id", "tenant_id", "tag", "contact_id"),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    tag: Mapped[str] = mapped_column(String(60))


class ContactSettings(TenantScoped, Base):
    """A tenant's defaults for contacts: the phone region and the salutation locale."""

    __tablename__ = "contact_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    phone_region: Mapped[str | None] = mapped_column(String(2))
    default_locale: Mapped[str | None] = mapped_column(String(35))
    # The zone of contacts without one of their own (their sending windows).
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # Open and click tracking of campaign messages (the tenant's privacy switch).
    tracking: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


# ---------------------------------------------------------- where people work


class Organization(Trashable, TenantScoped, Base):
    __tablename__ = "organizations"
    __table_args__ = (
        # Folded name ("acme ltd"), byte-ordered: list order and prefix search by btree.
        Index("ix_organizations_tenant_id_name_key_id", "tenant_id", "name_key", "id"),
        Index(
            "uq_organizations_tenant_id_external_id",
            "tenant_id",
            "external_id",
            unique=True,
            postgresql_where=text("external_id IS NOT NULL AND deleted_at IS NULL"),
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200, collation="C"))
    website: Mapped[str | None] = mapped_column(String(2048))
    industry: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class ContactOrganization(TenantScoped, Base):
    """A person at an organization: one link per pair, its role, title and period."""

    __tablename__ = "contact_organizations"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "organization_id"],
            ["organizations.tenant_id", "organizations.id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("tenant_id", "contact_id", "organization_id"),
        Index(
            "ix_contact_organizations_tenant_id_organization_id",
            "tenant_id",
            "organization_id",
            "contact_id",
        ),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    organization_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    role: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(200))
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
