"""A relationship (a family, colleagues, a group) and its members."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped

KINDS = ("family", "colleagues", "group", "other")


class Relationship(TenantScoped, Base):
    __tablename__ = "contact_relationships"
    __table_args__ = (Index("ix_contact_relationships_tenant_id_kind", "tenant_id", "kind"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class RelationshipMember(TenantScoped, Base):
    __tablename__ = "contact_relationship_members"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "relationship_id"],
            ["contact_relationships.tenant_id", "contact_relationships.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"], ondelete="CASCADE"
        ),
        UniqueConstraint(
            "tenant_id",
            "relationship_id",
            "contact_id",
            name="uq_contact_relationship_members_relationship_id_contact_id",
        ),
        # From a contact to its relationships (the first half of "the others in the group").
        Index(
            "ix_contact_relationship_members_tenant_id_contact_id",
            "tenant_id",
            "contact_id",
            "relationship_id",
        ),
    )

    relationship_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    role: Mapped[str | None] = mapped_column(String(100))
