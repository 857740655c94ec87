"""Single sign-on tables (migration 0037_sso): a tenant's provider settings, the identities
its provider vouched for, sign-ins under way, and which sessions SSO opened."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped

JIT = "jit"
INVITED = "invited"
PROVISIONING = (JIT, INVITED)


class SsoConfig(TenantScoped, Base):
    """A tenant's OpenID Connect provider: one per tenant. ``client_secret`` holds the
    secret encrypted (``rapport.tenancy.sso.secrets``), never in clear."""

    __tablename__ = "sso_configs"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret: Mapped[str | None] = mapped_column(Text)
    display_name: Mapped[str] = mapped_column(String(80))
    allowed_domains: Mapped[list[str]] = mapped_column(ARRAY(String(253)))
    provisioning: Mapped[str] = mapped_column(String(20))
    default_role: Mapped[str] = mapped_column(String(40))
    require_sso: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class SsoIdentity(TenantScoped, Base):
    """(tenant, issuer, subject) -> the member the provider's person is. Deleted with the
    membership (the foreign key cascades)."""

    __tablename__ = "sso_identities"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["memberships.tenant_id", "memberships.user_id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("tenant_id", "issuer", "subject"),
    )

    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    email: Mapped[str] = mapped_column(String(320))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SsoLogin(TenantScoped, Base):
    """The server-side half of one sign-in under way: only hashes of the state and of the
    browser's cookie are kept; the row is deleted when the callback uses it."""

    __tablename__ = "sso_logins"
    __table_args__ = (UniqueConstraint("tenant_id", "state_hash"),)

    state_hash: Mapped[str] = mapped_column(String(64))
    browser_hash: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(128))
    next_path: Mapped[str] = mapped_column(String(500), default="/")
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SsoSession(TenantScoped, Base):
    """A session (``auth_sessions.id``) that an SSO sign-in opened, and through which
    identity."""

    __tablename__ = "sso_sessions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "id"], ["auth_sessions.tenant_id", "auth_sessions.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "identity_id"], ["sso_identities.tenant_id", "sso_identities.id"],
            ondelete="CASCADE",
        ),
    )

    identity_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
