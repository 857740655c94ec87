"""API clients of a tenant: machine callers that sign in with the OAuth 2 client
credentials grant (``rapport.tenancy.oauth``) and act within their scopes.

The secret is 256 random bits, shown once (at creation and at each rotation); the table
keeps only an HMAC-SHA-256 of it under a key derived from the deployment's secret key.
A slow hash (argon2) protects guessable passwords; a secret of 256 random bits cannot be
guessed, so a fast keyed hash loses nothing — and it keeps the token endpoint cheap (an
argon2 check costs ~50 ms of CPU per token) — while the key means a copy of the table
alone cannot even test a candidate. Rotating ``RAPPORT_SECRET_KEY`` therefore invalidates
every client secret (docs/auth.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core.audit import service as audit
from rapport.db.base import Base, TenantScoped, new_id
from rapport.errors import not_found
from rapport.tenancy.principal import Principal

RECORD_TYPE = "api_client"
SECRET_PREFIX = "rpc_"  # noqa: S105 - a prefix that makes a leaked secret recognisable


def oauth_client_id(tenant_id: uuid.UUID, client_id: uuid.UUID) -> str:
    """The ``client_id`` a client authenticates with: its tenant and its own id, so the
    token endpoint enters the tenant first and finds the client by its primary key."""
    return f"{tenant_id}.{client_id}"


def parse_oauth_client_id(value: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    tenant, _, client = value.partition(".")
    try:
        return uuid.UUID(tenant), uuid.UUID(client)
    except ValueError:
        return None


class ApiClient(TenantScoped, Base):
    __tablename__ = "api_clients"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(120)))
    secret_hash: Mapped[str] = mapped_column(String(64))
    # Raised by each rotation; a token carries the one it was issued under.
    secret_version: Mapped[int] = mapped_column(Integer, server_default=text("1"), default=1)
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def hash_secret(key: str, secret: str) -> str:
    derived = hashlib.sha256(b"rapport-api-client\x00" + key.encode()).digest()
    return hmac.new(derived, secret.encode(), hashlib.sha256).hexdigest()


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _snapshot(c: ApiClient) -> dict[str, Any]:
    return {"name": c.name, "scopes": list(c.scopes)}


async def create_client(
    session: AsyncSession, key: str, *, tenant_id: uuid.UUID, name: str, scopes: list[str],
    actor: Principal | None,
) -> tuple[ApiClient, str]:
    """A new client and its secret (the only time the secret exists in clear)."""
    secret = new_secret()
    client = ApiClient(
        tenant_id=tenant_id, id=new_id(), name=name, scopes=scopes,
        secret_hash=hash_secret(key, secret), secret_version=1,
        created_by=actor.user_id if actor and actor.client_id is None else None,
    )
    session.add(client)
    await session.flush()
    if actor is not None:
        await audit.record(session, actor, audit.CREATE, RECORD_TYPE, client.id,
                           audit.diff({}, _snapshot(client)))
    return client, secret


async def list_clients(session: AsyncSession, tenant_id: uuid.UUID) -> list[ApiClient]:
    rows = await session.execute(
        select(ApiClient).where(ApiClient.tenant_id == tenant_id).order_by(ApiClient.id.desc()))
    return list(rows.scalars())


async def get_client(session: AsyncSession, tenant_id: uuid.UUID,
                     client_id: uuid.UUID) -> ApiClient:
    found = (await session.execute(select(ApiClient).where(
        ApiClient.tenant_id == tenant_id, ApiClient.id == client_id))).scalar_one_or_none()
    if found is None:
        raise not_found("API client")
    return found


async def change_client(
    session: AsyncSession, actor: Principal, client_id: uuid.UUID, changes: dict[str, Any]
) -> ApiClient:
    """Rename or re-scope. New scopes apply to tokens issued from now on; tokens already
    issued keep theirs until they expire (15 minutes by default)."""
    client = await _live(session, actor.tenant_id, client_id)
    before = _snapshot(client)
    for name, value in changes.items():
        setattr(client, name, value)
    client.updated_at = func.now()
    await session.flush()
    await session.refresh(client)
    await audit.record(session, actor, audit.UPDATE, RECORD_TYPE, client.id,
                       audit.diff(before, _snapshot(client)))
    return client


async def rotate_secret(
    session: AsyncSession, key: str, actor: Principal | None, tenant_id: uuid.UUID,
    client_id: uuid.UUID,
) -> tuple[ApiClient, str]:
    """A new secret; the old one and every token issued under it stop at once."""
    client = await _live(session, tenant_id, client_id)
    secret = new_secret()
    client.secret_hash = hash_secret(key, secret)
    client.secret_version = client.secret_version + 1
    client.rotated_at = client.updated_at = func.now()
    await session.flush()
    await session.refresh(client)
    if actor is not None:
        await audit.record(session, actor, "rotate", RECORD_TYPE, client.id,
                           detail={"secret_version": client.secret_version})
    return client, secret


async def revoke_client(
    session: AsyncSession, actor: Principal | None, tenant_id: uuid.UUID, client_id: uuid.UUID
) -> ApiClient:
    """The client and its tokens stop at once; the row stays, so the audit log's entries
    still name a client the console can show. Revoking twice is a 404 the second time."""
    done = (await session.execute(
        update(ApiClient)
        .where(ApiClient.tenant_id == tenant_id, ApiClient.id == client_id,
               ApiClient.revoked_at.is_(None))
        .values(revoked_at=func.now(), updated_at=func.now())
        .returning(ApiClient.id)
    )).first()
    if done is None:
        raise not_found("API client")
    if actor is not None:
        await audit.record(session, actor, audit.REVOKE, RECORD_TYPE, client_id)
    return await get_client(session, tenant_id, client_id)


async def _live(session: AsyncSession, tenant_id: uuid.UUID, client_id: uuid.UUID) -> ApiClient:
    client = await get_client(session, tenant_id, client_id)
    if client.revoked_at is not None:
        raise not_found("API client")
    return client
