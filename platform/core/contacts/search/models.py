"""The search index of contacts: terms per contact, and the tenant's vocabulary of words
with their one-letter-deleted variants for typo-tolerant matching."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, new_id


class ContactSearchTerm(Base):
    """One term a contact is found by. ``id`` is the contact's id: the key is
    (tenant, contact, term), and naming the contact column ``id`` keeps the table to one
    primary key and one lookup index (it holds several rows per contact)."""

    __tablename__ = "contact_search_terms"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "id"], ["contacts.tenant_id", "contacts.id"], ondelete="CASCADE"
        ),
        Index("ix_contact_search_terms_tenant_id_term_id", "tenant_id", "term", "id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    term: Mapped[str] = mapped_column(String(100, collation="C"), primary_key=True)


class SearchWord(Base):
    """A name or organization word used by at least one contact of the tenant."""

    __tablename__ = "contact_search_words"
    __table_args__ = (UniqueConstraint("tenant_id", "word"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    word: Mapped[str] = mapped_column(String(100, collation="C"))


class SearchVariant(Base):
    """A vocabulary word, or it with one letter left out (``id`` is the word's id)."""

    __tablename__ = "contact_search_variants"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "id"],
            ["contact_search_words.tenant_id", "contact_search_words.id"],
            ondelete="CASCADE",
        ),
        Index("ix_contact_search_variants_tenant_id_id", "tenant_id", "id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    variant: Mapped[str] = mapped_column(String(100, collation="C"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
