"""HTTP doors of API clients: owners and admins manage them (``/api/v1/api-clients``); the
clients get tokens at ``POST /api/v1/oauth/token`` (client credentials)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from authlib.oauth2.rfc6749 import errors as oauth_errors
from litestar import Controller, MediaType, Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.errors import ALSO_ANSWERS, ERRORS_ALSO_AS_JSON, forbidden
from rapport.settings import Settings
from rapport.tenancy import api_clients, oauth, scopes
from rapport.tenancy.api_client_schemas import (
    OAUTH_PROBLEM_TYPE,
    ApiClientIn,
    ApiClientList,
    ApiClientOut,
    ApiClientPatch,
    ApiClientWithSecret,
    ClientTokenOut,
    OAuthProblem,
    ScopeList,
    ScopeOut,
    TokenRequest,
)
from rapport.tenancy.controllers import PUBLIC, client_address
from rapport.tenancy.principal import Principal

ClientId = FromPath[uuid.UUID]
PROBLEM_MEDIA_TYPE = "application/problem+json"


def _manager(principal: Principal) -> None:
    # A client never manages clients, whatever its scopes (the scope gate refuses it first).
    if principal.client_id is not None:
        raise forbidden("An API client cannot manage API clients")
    principal.require_manager()


class ApiClientController(Controller):
    path = "/api/v1/api-clients"
    tags = ["api clients"]

    @get("/scopes")
    async def list_scopes(self, request: Request, principal: NamedDependency[Principal],
                          ) -> ScopeList:
        """Every scope a client may be granted: `<area>:read` and `<area>:write` for each
        area of the API (the kernel's and the plugins'), and each permission a plugin
        declares. Owners and admins only."""
        _manager(principal)
        found = scopes.catalogue(request.app).scopes
        return ScopeList([ScopeOut(s.key, s.area, s.description) for s in found])

    @post("/", status_code=201)
    async def create_client(
        self, data: JSONBody[ApiClientIn], request: Request,
        principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> ApiClientWithSecret:
        """Create a client. The answer holds `client_secret`, shown this once: store it
        now. An unknown scope is a 422 naming it. Owners and admins only."""
        _manager(principal)
        granted = scopes.catalogue(request.app).check(data.scopes)
        client, secret = await api_clients.create_client(
            db, settings.secret_key, tenant_id=principal.tenant_id, name=data.name.strip(),
            scopes=granted, actor=principal,
        )
        return ApiClientWithSecret.with_secret(client, secret)

    @get("/")
    async def list_clients(self, principal: NamedDependency[Principal],
                           db: NamedDependency[AsyncSession]) -> ApiClientList:
        """This organization's clients, newest first, revoked ones included (never a
        secret). Owners and admins only."""
        _manager(principal)
        found = await api_clients.list_clients(db, principal.tenant_id)
        return ApiClientList([ApiClientOut.of(c) for c in found])

    @get("/{client_id:uuid}")
    async def get_client(self, client_id: ClientId, principal: NamedDependency[Principal],
                         db: NamedDependency[AsyncSession]) -> ApiClientOut:
        """One client (never its secret). Owners and admins only."""
        _manager(principal)
        return ApiClientOut.of(await api_clients.get_client(db, principal.tenant_id, client_id))

    @patch("/{client_id:uuid}")
    async def change_client(
        self, client_id: ClientId, data: JSONBody[ApiClientPatch], request: Request,
        principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    ) -> ApiClientOut:
        """Rename a client or replace its scopes. New scopes count for tokens issued from
        now on. A revoked client is a 404. Owners and admins only."""
        _manager(principal)
        changes: dict[str, Any] = data.changes()
        if "scopes" in changes:
            changes["scopes"] = scopes.catalogue(request.app).check(changes["scopes"])
        if "name" in changes:
            changes["name"] = changes["name"].strip()
        client = await api_clients.change_client(db, principal, client_id, changes)
        return ApiClientOut.of(client)

    @post("/{client_id:uuid}/rotate", status_code=200)
    async def rotate_secret(
        self, client_id: ClientId, principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession], settings: NamedDependency[Settings],
    ) -> ApiClientWithSecret:
        """A new secret, shown this once. The old secret, and every token issued under it,
        stop at once (no overlap). A revoked client is a 404. Owners and admins only."""
        _manager(principal)
        client, secret = await api_clients.rotate_secret(
            db, settings.secret_key, principal, principal.tenant_id, client_id)
        return ApiClientWithSecret.with_secret(client, secret)

    @post("/{client_id:uuid}/revoke", status_code=200)
    async def revoke_client(
        self, client_id: ClientId, principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> ApiClientOut:
        """Revoke a client for good: its secret and tokens stop at once; it stays listed
        (revoked) so the audit log's entries keep a name. Owners and admins only."""
        _manager(principal)
        return ApiClientOut.of(
            await api_clients.revoke_client(db, principal, principal.tenant_id, client_id))


_OAUTH_ERRORS = {
    400: ResponseSpec(OAuthProblem, media_type=PROBLEM_MEDIA_TYPE, description=(
        "RFC 6749 §5.2: `invalid_request` (grant_type missing, or two ways of "
        "authenticating), `unsupported_grant_type`, `invalid_scope` (a scope the client "
        "does not hold). A problem document carrying §5.2's `error` and "
        "`error_description`: `application/json` unless the request's Accept asks for "
        "`application/problem+json`")),
    401: ResponseSpec(OAuthProblem, media_type=PROBLEM_MEDIA_TYPE, description=(
        "`invalid_client`: unknown client, wrong secret or revoked client "
        "(WWW-Authenticate: Basic); the same document and media types as the 400")),
}
_MEDIA_TYPES = [MediaType.JSON.value, PROBLEM_MEDIA_TYPE]


def _oauth_error(
    error: oauth_errors.OAuth2Error, request: Request
) -> Response[ClientTokenOut | OAuthProblem]:
    """RFC 6749 §5.2 names ``application/json``, and OAuth client libraries check it (some
    read ``error`` only under that exact media type), so that is the default; a caller
    asking for ``application/problem+json`` (RFC 9457 §3) gets the same document under
    that name. Either way the body is one problem document with §5.2's two members."""
    status = error.status_code or 400
    description = error.get_error_description() or error.error
    return Response(
        OAuthProblem(type=OAUTH_PROBLEM_TYPE, title="Token request refused", status=status,
                     detail=description, error=error.error, error_description=description),
        status_code=status,
        headers={**{k: v for k, v in error.get_headers() if k.lower() != "content-type"},
                 "Vary": "Accept"},
        media_type=request.accept.best_match(_MEDIA_TYPES, default=MediaType.JSON.value),
    )


class OAuthController(Controller):
    path = "/api/v1/oauth"
    tags = ["api clients"]

    @post("/token", status_code=200, responses=_OAUTH_ERRORS,
          opt={**PUBLIC, ALSO_ANSWERS: (429,), ERRORS_ALSO_AS_JSON: True})
    async def token(
        self,
        data: Annotated[TokenRequest, Body(media_type=RequestEncodingType.URL_ENCODED)],
        request: Request,
        settings: NamedDependency[Settings],
    ) -> Response[ClientTokenOut | OAuthProblem]:
        """RFC 6749 §4.4 client credentials: `grant_type=client_credentials`, optional
        `scope` (space-separated, within the client's; all of them when left out), the
        client's id and secret by HTTP Basic or as `client_id`/`client_secret` in the form.
        The answer's `access_token` is a bearer token for the client's scopes, valid
        `expires_in` seconds. Throttled like a login (429)."""
        try:
            credentials = oauth.read_credentials(
                request.headers.get("authorization"), data.client_id, data.client_secret)
            issued = await oauth.issue_token(
                request.app.state.sessionmaker, settings, grant_type=data.grant_type,
                scope=data.scope, credentials=credentials,
                address=client_address(request, settings),
                user_agent=request.headers.get("user-agent"),
            )
        except oauth_errors.OAuth2Error as error:
            return _oauth_error(error, request)
        return Response(
            ClientTokenOut(issued.access_token, "Bearer", issued.expires_in, issued.scope),
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

