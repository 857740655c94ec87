"""The plugin's own table: tenant-owned, composite keys, linked to the kernel's contacts."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKeyConstraint, Integer, String
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.sdk import Base, TenantScoped


class StampCard(TenantScoped, Base):
    __tablename__ = "stamps_cards"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"], ondelete="CASCADE"
        ),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    stamps: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(20), default="active")
