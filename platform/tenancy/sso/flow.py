"""The sign-in itself: ``start`` sends the person to the provider, ``finish`` takes them
back. The state, nonce and PKCE verifier live in a short-lived ``sso_logins`` row (only the
state's hash is stored), bound to the browser that started by a random cookie whose hash
is in the row too; the callback deletes the row before anything else, so a state works once.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.db.session import enter_tenant, tenant_session
from rapport.errors import RapportError
from rapport.settings import Settings
from rapport.tenancy.models import Tenant
from rapport.tenancy.secret_box import SSO_CLIENT_SECRET, Unreadable, open_sealed
from rapport.tenancy.sessions import open_session
from rapport.tenancy.sign_ins import record_sign_in
from rapport.tenancy.sso import accounts, provider
from rapport.tenancy.sso.config import redirect_uri
from rapport.tenancy.sso_models import SsoConfig, SsoLogin, SsoSession
from rapport.tenancy.tokens import issue_access_token

LOGIN_TTL = timedelta(minutes=10)
BROWSER_COOKIE = "rapport_sso"
COOKIE_PATH = "/api/v1/auth/sso/"

log = logging.getLogger("rapport.sso")


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def safe_next(value: str | None) -> str:
    """A path on this site to land on after signing in (never another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value[:500]


@dataclass(frozen=True)
class Started:
    authorization_url: str
    browser_secret: str


@dataclass(frozen=True)
class SignedIn:
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    session_id: uuid.UUID
    token: str
    csrf: str
    next_path: str


@dataclass(frozen=True)
class Caller:
    address: str
    user_agent: str
    browser_secret: str | None


async def _tenant_config(
    session: AsyncSession, slug: str
) -> tuple[Tenant, SsoConfig] | None:
    tenant = (await session.execute(select(Tenant).where(
        Tenant.slug == slug.strip().lower(), Tenant.status == "active"))).scalar_one_or_none()
    if tenant is None:
        return None
    await enter_tenant(session, tenant.id)
    config = (await session.execute(select(SsoConfig).where(
        SsoConfig.tenant_id == tenant.id))).scalar_one_or_none()
    return (tenant, config) if config else None


async def configured(
    maker: async_sessionmaker[AsyncSession], slug: str
) -> tuple[Tenant, SsoConfig]:
    """The organization and its SSO settings; 404 alike for an unknown organization and
    one without SSO."""
    async with tenant_session(maker, None) as session:
        found = await _tenant_config(session, slug)
        if found is None:
            raise accounts.refused("not_configured", "This organization has no single "
                                   "sign-on", status=404)
        session.expunge_all()
    return found


async def start(
    maker: async_sessionmaker[AsyncSession], settings: Settings, *, slug: str,
    next_path: str | None,
) -> Started:
    tenant, config = await configured(maker, slug)
    found = await provider.metadata(config.issuer)  # 502 before anything is written
    state, nonce = generate_token(43), generate_token(32)
    verifier, browser = generate_token(64), generate_token(32)
    async with tenant_session(maker, tenant.id) as session:
        now = datetime.now(UTC)
        await session.execute(delete(SsoLogin).where(SsoLogin.tenant_id == tenant.id,
                                                     SsoLogin.expires_at < now))
        session.add(SsoLogin(tenant_id=tenant.id, state_hash=_hash(state),
                             browser_hash=_hash(browser), nonce=nonce, code_verifier=verifier,
                             next_path=safe_next(next_path), expires_at=now + LOGIN_TTL))
    url = prepare_grant_uri(
        found.authorization_endpoint, config.client_id, "code",
        redirect_uri=redirect_uri(settings, tenant.slug), scope=provider.SCOPES, state=state,
        nonce=nonce, code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256",
    )
    return Started(url, browser)


async def _use_state(
    maker: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, state: str | None,
    browser_secret: str | None,
) -> SsoLogin:
    """The sign-in under way that ``state`` names, deleted in a transaction of its own so
    it can never be used again, whatever happens next."""
    if not state:
        raise accounts.refused("state", "The sign-in answer has no state: start again", 400)
    async with tenant_session(maker, tenant_id) as session:
        row = (await session.execute(
            delete(SsoLogin).where(SsoLogin.tenant_id == tenant_id,
                                   SsoLogin.state_hash == _hash(state))
            .returning(SsoLogin)
        )).scalar_one_or_none()
        if row is not None:
            session.expunge(row)
    if row is None:
        raise accounts.refused("state", "This sign-in is unknown or was already used: "
                               "start again", 400)
    if row.expires_at < datetime.now(UTC):
        raise accounts.refused("state", "This sign-in took too long: start again", 400)
    if not browser_secret or _hash(browser_secret) != row.browser_hash:
        raise accounts.refused("state", "This sign-in was started in another browser: "
                               "start again", 400)
    return row


async def _verified_claims(
    settings: Settings, config: SsoConfig, tenant: Tenant, pending: SsoLogin, code: str
) -> dict[str, object]:
    found = await provider.metadata(config.issuer)
    secret = None
    if config.client_secret:
        try:
            secret = open_sealed(settings.secret_key, SSO_CLIENT_SECRET, str(tenant.id),
                                 config.client_secret)
        except Unreadable as exc:
            raise provider.bad_gateway(
                "The stored client secret can no longer be read (the deployment's secret key "
                "changed): an administrator must enter it again") from exc
    token = await provider.exchange_code(
        found, client_id=config.client_id, client_secret=secret, code=code,
        redirect_uri=redirect_uri(settings, tenant.slug), code_verifier=pending.code_verifier,
    )
    return await provider.verify_id_token(token, found, issuer=config.issuer,
                                          client_id=config.client_id, nonce=pending.nonce)


async def _refusal(
    maker: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, caller: Caller,
    error: RapportError,
) -> None:
    reason = str(error.extra.get("reason") or error.title)
    await record_sign_in(
        maker, tenant_id=tenant_id, user_id=None, client_id=None, method="sso",
        outcome="refused", address=caller.address, user_agent=caller.user_agent,
        detail={"reason": reason, "status": error.status},
    )


async def finish(
    maker: async_sessionmaker[AsyncSession], settings: Settings, *, slug: str,
    query: dict[str, str], caller: Caller,
) -> SignedIn:
    """The provider's answer (``code`` and ``state``, or ``error``) -> a session in this
    tenant, or the refusal (which is in the tenant's sign-in log)."""
    tenant, config = await configured(maker, slug)
    try:
        pending = await _use_state(maker, tenant.id, query.get("state"), caller.browser_secret)
        if query.get("error"):
            raise accounts.refused("provider_refused", "The identity provider did not sign "
                                   f"you in ({query['error'][:60]})", 400)
        code = query.get("code")
        if not code:
            raise accounts.refused("provider_refused", "The identity provider's answer has "
                                   "no code", 400)
        claims = await _verified_claims(settings, config, tenant, pending, code)
        async with tenant_session(maker, tenant.id) as session:
            person = await accounts.resolve(session, config, claims)
            opened = await open_session(
                session, tenant_id=tenant.id, user_id=person.user_id,
                ttl=settings.access_token_ttl, user_agent=caller.user_agent,
                address=caller.address,
            )
            session.add(SsoSession(tenant_id=tenant.id, id=opened.id,
                                   identity_id=person.identity_id))
            await record_sign_in(
                session, tenant_id=tenant.id, user_id=person.user_id, client_id=None,
                method="sso", outcome="success", address=caller.address,
                user_agent=caller.user_agent,
                detail={"issuer": config.issuer, "created": person.created},
            )
            session_id = opened.id
    except RapportError as error:
        await _refusal(maker, tenant.id, caller, error)
        raise
    token, claims_out = issue_access_token(
        settings.secret_key, user_id=person.user_id, tenant_id=tenant.id,
        session_id=session_id, ttl=settings.access_token_ttl,
    )
    return SignedIn(tenant.id, person.user_id, session_id, token, claims_out.csrf,
                    pending.next_path)
