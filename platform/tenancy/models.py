"""Tenants, global users, memberships (tenant-owned) and invitations."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import CITEXT, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped, Timestamped, new_id


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


MANAGER_ROLES = frozenset({Role.OWNER, Role.ADMIN})
WRITER_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER})


class Tenant(Timestamped, Base):
    """An organization that signed up. The directory of tenants is global (no RLS)."""

    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="active")
    # Raised by triggers on every write to the tenant's field definitions and contact
    # settings: processes check their in-memory copies against it (tenancy.config_cache).
    config_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class User(Timestamped, Base):
    """A person's global identity; tenants see users only through memberships."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(CITEXT, unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # None until the person sets a password from a link sent to their address.
    password_hash: Mapped[str | None] = mapped_column(Text)
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Every session created before this moment is revoked, in every tenant.
    sessions_revoked_before: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Membership(TenantScoped, Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE")
    )
    role: Mapped[str] = mapped_column(String(40))
    # None until the person accepts; a pending membership grants nothing.
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def pending(self) -> bool:
        return self.accepted_at is None


class Invitation(TenantScoped, Base):
    """A one-time link, sent to the person's address, to accept a membership."""

    __tablename__ = "invitations"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "membership_id"],
            ["memberships.tenant_id", "memberships.id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("tenant_id", "token_hash"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    membership_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What the inviter called the person; shown to that tenant until they accept.
    invited_name: Mapped[str | None] = mapped_column(String(200))


class AuthSession(TenantScoped, Base):
    """One issued access token (its ``sid``); deleting or revoking the row ends it."""

    __tablename__ = "auth_sessions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["memberships.tenant_id", "memberships.user_id"],
            ondelete="CASCADE",
        ),
        Index("ix_auth_sessions_tenant_id_user_id", "tenant_id", "user_id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(64), default="")


class AccountToken(Base):
    """A single-use, expiring token e-mailed to a person (password reset, address check).
    Only its SHA-256 is stored."""

    __tablename__ = "account_tokens"
    __table_args__ = (Index("ix_account_tokens_user_id_purpose", "user_id", "purpose"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE")
    )
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ThrottleAttempt(Base):
    """One counted attempt at a throttled public door (``rapport.tenancy.throttle``): a login
    not known to have succeeded, or a sign-up, reset request, invitation acceptance.

    Global (no tenant: an address attacks every tenant at once); keys are keyed hashes, never
    an e-mail or an address in clear.
    """

    __tablename__ = "throttle_attempts"
    __table_args__ = (
        # Per address and action: spraying and the public-action limit.
        Index("ix_throttle_attempts_action_address_key_at", "action", "address_key", "at"),
        # Per account, and per (account, address) pair: logins only carry an account.
        Index(
            "ix_throttle_attempts_account_key_address_key_at", "account_key", "address_key", "at"
        ),
        # Trimming what aged out, oldest first.
        Index("ix_throttle_attempts_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    action: Mapped[str] = mapped_column(String(32))
    account_key: Mapped[str | None] = mapped_column(String(64))
    address_key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
