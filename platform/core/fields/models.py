"""Tenant admins' field definitions; plugins' definitions live in code, not here."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped


class CustomField(TenantScoped, Base):
    """A field a tenant admin added: its full key is always ``custom.<key>``."""

    __tablename__ = "field_definitions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "entity", "full_key"),
        CheckConstraint("full_key = 'custom.' || key", name="full_key_is_custom"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    entity: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(40))
    full_key: Mapped[str] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(200))
    options: Mapped[list[str]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    indexed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class FieldEntity(Base):
    """The allow-list of entities that carry custom fields and the table that stores them.

    Global and written only by migrations (the app role may read it): statements over "any
    entity's table" take their table name from here, so the application must not add one.
    """

    __tablename__ = "field_entities"

    entity: Mapped[str] = mapped_column(String(40), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(63))


class FieldValue(Base):
    """One index entry of an indexed field's value (see migration 0002): written only by the
    ``rapport_sync_field_values`` triggers and ``indexes.index_field``, read by filters."""

    __tablename__ = "field_values"
    __table_args__ = (
        UniqueConstraint(
            "tenant_id", "entity", "record_id", "full_key", "ordinal", name="uq_field_values_entry"
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")
    )
    entity: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    full_key: Mapped[str] = mapped_column(String(80))
    ordinal: Mapped[int] = mapped_column(Integer)
    text_value: Mapped[str | None] = mapped_column(Text)
    number_value: Mapped[float | None] = mapped_column(Float(precision=53))
    date_value: Mapped[date | None] = mapped_column(Date)
    time_value: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    bool_value: Mapped[bool | None] = mapped_column(Boolean)
    ref_value: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class FieldPluginIndex(Base):
    """An indexed plugin field, so the triggers index it like a tenant's indexed field."""

    __tablename__ = "field_plugin_indexes"

    entity: Mapped[str] = mapped_column(String(40), primary_key=True)
    full_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    type: Mapped[str] = mapped_column(String(20))
