"""One learned fact: a profile value of a contact, with where and how we learned it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped


class ContactFact(TenantScoped, Base):
    """``created_at`` is when it was recorded; ``value`` is the value from then on (JSON
    null when the value was cleared)."""

    __tablename__ = "contact_facts"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"], ondelete="CASCADE"
        ),
        Index("ix_contact_facts_tenant_id_contact_id_field_id", "tenant_id", "contact_id",
              "field", "id"),
        # "What did we learn in this conversation?"
        Index(
            "ix_contact_facts_tenant_id_interaction_id",
            "tenant_id",
            "interaction_id",
            postgresql_where=text("interaction_id IS NOT NULL"),
        ),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    field: Mapped[str] = mapped_column(String(120))
    value: Mapped[Any] = mapped_column(JSONB(none_as_null=False))
    channel: Mapped[str] = mapped_column(String(40))
    source: Mapped[str | None] = mapped_column(String(200))
    # A plain id: interactions live in their own area; a later migration adds the key.
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
