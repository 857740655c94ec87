"""The OAuth 2 token endpoint for API clients: the client credentials grant (RFC 6749
§4.4), client authentication by HTTP Basic (client_secret_basic) or in the form body
(client_secret_post), errors as §5.2 says. authlib supplies the Basic-header parsing, the
scope strings and the error vocabulary; the token is the project's own JWT
(``rapport.tenancy.client_tokens``).

Throttled like a login: per (client id, address) pair, per address, per client across
addresses (``rapport.tenancy.throttle``); a success forgets the pair's failures. Every
attempt naming an existing client goes to its tenant's sign-in log
(``rapport.tenancy.sign_ins``); one naming no client goes to the application log only.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from authlib.oauth2.rfc6749 import errors
from authlib.oauth2.rfc6749.util import extract_basic_authorization, scope_to_list
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.db.session import enter_tenant, tenant_session
from rapport.errors import RapportError
from rapport.settings import Settings
from rapport.tenancy.api_clients import ApiClient, get_client, hash_secret, parse_oauth_client_id
from rapport.tenancy.client_tokens import issue_client_token
from rapport.tenancy.sign_ins import record_sign_in
from rapport.tenancy.throttle import account_key, address_key, release_login, reserve_login

GRANT = "client_credentials"
METHOD = "client_credentials"


@dataclass(frozen=True)
class Credentials:
    client_id: str | None
    client_secret: str | None
    basic: bool


@dataclass(frozen=True)
class Issued:
    access_token: str
    expires_in: int
    scope: str


def read_credentials(
    authorization: str | None, client_id: str | None, client_secret: str | None
) -> Credentials:
    """The client's id and secret from exactly one method (§2.3: never two at once)."""
    if authorization is not None and authorization.split(" ", 1)[0].lower() == "basic":
        user, password = extract_basic_authorization({"Authorization": authorization})
        if (client_id is not None and client_id != user) or client_secret is not None:
            raise errors.InvalidRequestError(
                description="authenticate with HTTP Basic or the form body, not both")
        return Credentials(user, password, basic=True)
    return Credentials(client_id, client_secret, basic=False)


def invalid_client() -> errors.InvalidClientError:
    """§5.2: always 401 (the door answers WWW-Authenticate: Basic), whichever way the
    client authenticated, and the same words for an unknown id, a wrong secret and a
    revoked client."""
    return errors.InvalidClientError(description="unknown client or wrong secret",
                                     status_code=401)


def _granted(client: ApiClient, requested: str | None) -> list[str]:
    held = set(client.scopes)
    if requested is None or not requested.strip():
        return sorted(held)  # §3.3: no scope asked -> the client's whole grant
    asked = scope_to_list(requested) or []
    beyond = [s for s in asked if s not in held]
    if beyond:
        raise errors.InvalidScopeError(
            description=f"not granted to this client: {' '.join(sorted(beyond))}")
    return sorted(set(asked))


async def _client(session: AsyncSession, raw_id: str) -> ApiClient | None:
    ids = parse_oauth_client_id(raw_id)
    if ids is None:
        return None
    await enter_tenant(session, ids[0])
    try:
        return await get_client(session, *ids)
    except RapportError:  # not found: the same invalid_client as a wrong secret
        return None


async def issue_token(
    maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    grant_type: str | None,
    scope: str | None,
    credentials: Credentials,
    address: str,
    user_agent: str | None,
) -> Issued:
    if not grant_type:
        raise errors.InvalidRequestError(description="grant_type is required")
    if grant_type != GRANT:
        raise errors.UnsupportedGrantTypeError(grant_type)
    if not credentials.client_id or not credentials.client_secret:
        raise invalid_client()
    reservation = await reserve_login(
        maker, settings,
        account=account_key(settings, "api-client", credentials.client_id),
        address=address_key(settings, address),
    )
    async with tenant_session(maker, None) as session:
        client = await _client(session, credentials.client_id)
        ok = client is not None and client.revoked_at is None and hmac.compare_digest(
            client.secret_hash, hash_secret(settings.secret_key, credentials.client_secret))
        if client is None or not ok:
            tenant_id, cid = (client.tenant_id, client.id) if client else (None, None)
            reason = "revoked" if client and client.revoked_at else "secret"
        else:
            granted = _granted(client, scope)
            token = issue_client_token(
                settings.secret_key, client_id=client.id, tenant_id=client.tenant_id,
                scopes=granted, secret_version=client.secret_version,
                ttl=settings.client_token_ttl,
            )
            await record_sign_in(
                session, tenant_id=client.tenant_id, user_id=None, client_id=client.id,
                method=METHOD, outcome="success", address=address, user_agent=user_agent,
                detail={"scope": " ".join(granted)},
            )
    if client is None or not ok:
        await record_sign_in(
            maker, tenant_id=tenant_id, user_id=None, client_id=cid, method=METHOD,
            outcome="refused", address=address, user_agent=user_agent,
            detail={"reason": reason},
        )
        raise invalid_client()
    await release_login(maker, reservation)
    return Issued(token, settings.client_token_ttl, " ".join(granted))
