"""Declarative base and the tenant-owned mixin every tenant table uses."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, MetaData, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from uuid_utils.compat import uuid7

# Stable constraint names so migrations and models agree.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> uuid.UUID:
    """Time-ordered ids (UUIDv7): keyset pagination by id follows insertion order."""
    return uuid7()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class TenantScoped(Timestamped):
    """A row owned by one tenant: primary key ``(tenant_id, id)``, guarded by forced RLS.

    The session layer adds ``tenant_id = <current>`` to every ORM select/update/delete
    of these classes; the database policy is the second lock.
    """

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)


class Trashable:
    """A record deleted into the trash: ``deleted_at`` set (and by whom), restorable until
    the worker purges it (``rapport.core.trash``). Every read path filters
    ``deleted_at IS NULL`` (``rapport.core.trash.live``)."""

    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))

    def move_to_trash(self, user_id: uuid.UUID | None) -> None:
        """Deleted now by ``user_id`` (written at the next flush)."""
        self.deleted_at = func.now()
        self.deleted_by = user_id
