"""A tenant's SSO settings, for its owners and admins: read, replace, remove, test. Every
change is in the tenant's audit log (never the secret)."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

import msgspec
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit
from rapport.errors import invalid, not_found
from rapport.settings import Settings
from rapport.tenancy.principal import Principal
from rapport.tenancy.secret_box import SSO_CLIENT_SECRET, Unreadable, open_sealed, seal
from rapport.tenancy.sso import provider
from rapport.tenancy.sso.schemas import SsoIn, SsoOut, SsoTestOut
from rapport.tenancy.sso_models import SsoConfig

RECORD_TYPE = "sso_config"
NOT_CONFIGURED = "Single sign-on settings"


def redirect_uri(settings: Settings, slug: str) -> str:
    """The callback the provider sends the person back to (registered there by the admin)."""
    return f"{settings.base_url.rstrip('/')}/api/v1/auth/sso/{slug}/callback"


def shown(row: SsoConfig, settings: Settings, slug: str) -> SsoOut:
    return SsoOut(
        row.issuer, row.client_id, "set" if row.client_secret else "not set",
        row.display_name, list(row.allowed_domains), row.provisioning,  # type: ignore[arg-type]
        row.default_role, row.require_sso, redirect_uri(settings, slug), provider.SCOPES,
        row.updated_at,
    )


def _public(row: SsoConfig) -> dict[str, Any]:
    """What the audit log keeps of the settings: everything but the secret itself."""
    return {"issuer": row.issuer, "client_id": row.client_id,
            "client_secret": "set" if row.client_secret else "not set",
            "display_name": row.display_name, "allowed_domains": list(row.allowed_domains),
            "provisioning": row.provisioning, "default_role": row.default_role,
            "require_sso": row.require_sso}


async def read(session: AsyncSession, tenant_id: uuid.UUID) -> SsoConfig | None:
    found = await session.execute(select(SsoConfig).where(SsoConfig.tenant_id == tenant_id))
    return found.scalar_one_or_none()


async def settings_of(session: AsyncSession, actor: Principal) -> SsoConfig:
    actor.require_manager()
    row = await read(session, actor.tenant_id)
    if row is None:
        raise not_found(NOT_CONFIGURED)
    return row


async def replace(
    session: AsyncSession, actor: Principal, data: SsoIn, settings: Settings
) -> SsoConfig:
    actor.require_manager()
    issuer = data.issuer.strip()
    if settings.production and urlsplit(issuer).scheme != "https":
        raise invalid("issuer", "must be an https:// URL")
    row = await read(session, actor.tenant_id)
    before = _public(row) if row else {}
    if row is None:
        row = SsoConfig(tenant_id=actor.tenant_id)
        session.add(row)
    row.issuer = issuer
    row.client_id = data.client_id
    row.display_name = data.display_name.strip()
    row.allowed_domains = sorted(set(data.allowed_domains))
    row.provisioning = data.provisioning
    row.default_role = data.default_role
    row.require_sso = data.require_sso
    if data.client_secret is None:
        row.client_secret = None
    elif data.client_secret is not msgspec.UNSET:
        row.client_secret = seal(settings.secret_key, SSO_CLIENT_SECRET,
                                 str(actor.tenant_id), data.client_secret)
    await session.flush()
    await session.refresh(row)
    after = _public(row)
    await audit.record(session, actor, audit.UPDATE if before else audit.CREATE, RECORD_TYPE,
                       row.id, audit.diff(before, after))
    return row


async def remove(session: AsyncSession, actor: Principal) -> None:
    """Switch SSO off: password sign-in works again for everyone. Identities stay, so
    setting the same provider up again signs the same people in."""
    row = await settings_of(session, actor)
    await _delete(session, row)
    await audit.record(session, actor, audit.DELETE, RECORD_TYPE, row.id,
                       audit.diff(_public(row), {}))


async def remove_for_operator(session: AsyncSession, tenant_id: uuid.UUID) -> SsoConfig | None:
    """``rapport sso off``: the same removal by the deployment's operator (no member acts,
    so the application log records it, as for the operator's other commands); the removed
    settings, or None when the tenant had none."""
    row = await read(session, tenant_id)
    if row is not None:
        await _delete(session, row)
    return row


async def _delete(session: AsyncSession, row: SsoConfig) -> None:
    await session.execute(delete(SsoConfig).where(SsoConfig.tenant_id == row.tenant_id,
                                                  SsoConfig.id == row.id))


def secret_state(row: SsoConfig, settings: Settings) -> str:
    """"not set", "set", or "set, unreadable" when it was sealed under an earlier secret
    key (sign-ins then answer 502 until an admin enters it again)."""
    if not row.client_secret:
        return "not set"
    try:
        open_sealed(settings.secret_key, SSO_CLIENT_SECRET, str(row.tenant_id),
                    row.client_secret)
    except Unreadable:
        return "set, unreadable with the current secret key"
    return "set"


async def test_connection(session: AsyncSession, actor: Principal) -> SsoTestOut:
    row = await settings_of(session, actor)
    found, keys = await provider.check_connection(row.issuer)
    return SsoTestOut(found.issuer, found.authorization_endpoint, found.token_endpoint,
                      found.jwks_uri, keys, list(found.algorithms))
