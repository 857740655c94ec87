"""A team and its members (memberships of the tenant)."""

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
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped


def _tenant() -> Mapped[uuid.UUID]:
    return mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )


class Team(TenantScoped, Base):
    __tablename__ = "teams"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "lead_id"],
                             ["memberships.tenant_id", "memberships.id"],
                             ondelete="SET NULL (lead_id)"),
        # Names are unique in the tenant whatever their case (migration 0038_teams).
        Index("ix_teams_tenant_id_name", "tenant_id", func.lower(text("name")), unique=True),
    )
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: Mapped[uuid.UUID] = _tenant()
    name: Mapped[str] = mapped_column(String(100))
    # A membership of the tenant (memberships.id, as deals' owner_id); None: no lead.
    lead_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now(), onupdate=func.now())


class TeamMember(TenantScoped, Base):
    __tablename__ = "team_members"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "team_id"], ["teams.tenant_id", "teams.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "membership_id"],
                             ["memberships.tenant_id", "memberships.id"], ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "team_id", "membership_id"),
        Index("ix_team_members_tenant_id_membership_id", "tenant_id", "membership_id",
              "team_id"),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    team_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    membership_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
