"""A sharing grant: one tenant lets another read sections of one record, for a while."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, Timestamped, new_id


class SharingGrant(Timestamped, Base):
    """Owned by the grantor (``tenant_id``); readable by grantor and grantee under RLS.

    Not ``TenantScoped`` on purpose: the session's automatic ``tenant_id = <current>``
    filter would hide incoming grants from the grantee. The service filters explicitly by
    the caller's tenant on whichever side it asks about, and RLS guards every row.
    Rows are never deleted; revoking sets ``revoked_at`` (the only updatable columns).
    """

    __tablename__ = "sharing_grants"
    __table_args__ = (
        Index(
            "ix_sharing_grants_tenant_id_record",
            "tenant_id",
            "record_type",
            "record_id",
            "grantee_tenant_id",
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    grantee_tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE")
    )
    record_type: Mapped[str] = mapped_column(String(100))
    record_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    sections: Mapped[list[str]] = mapped_column(ARRAY(Text))
    purpose: Mapped[str] = mapped_column(String(200))
    evidence: Mapped[str | None] = mapped_column(Text)
    granted_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
