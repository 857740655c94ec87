"""API clients at the edge: the secret only in the answers to creation and rotation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from rapport.fieldtypes import Patch
from rapport.tenancy.api_clients import ApiClient, oauth_client_id

ClientName = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[^\x00]*\S",
                                         description="what the client is for")]
ScopeName = Annotated[str, msgspec.Meta(
    min_length=1, max_length=120,
    description="a scope of GET /api/v1/api-clients/scopes (`contacts:read`, `retail.till`)")]
Scopes = Annotated[list[ScopeName], msgspec.Meta(max_length=200)]


class ApiClientIn(msgspec.Struct, forbid_unknown_fields=True):
    name: ClientName
    scopes: Scopes


class ApiClientPatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    name: ClientName | msgspec.UnsetType = msgspec.UNSET
    scopes: Scopes | msgspec.UnsetType = msgspec.UNSET


class ApiClientOut(msgspec.Struct):
    id: uuid.UUID
    # The OAuth client_id the token endpoint takes: ``<tenant id>.<id>``.
    client_id: str
    name: str
    scopes: list[str]
    secret_version: int
    created_at: datetime
    rotated_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, c: ApiClient) -> ApiClientOut:
        return cls(c.id, oauth_client_id(c.tenant_id, c.id), c.name, sorted(c.scopes),
                   c.secret_version, c.created_at, c.rotated_at, c.revoked_at)


class ApiClientWithSecret(ApiClientOut):
    """As a client, with its secret: shown this once, never again (store it now)."""

    client_secret: str = ""

    @classmethod
    def with_secret(cls, c: ApiClient, secret: str) -> ApiClientWithSecret:
        out = ApiClientOut.of(c)
        return cls(**msgspec.structs.asdict(out), client_secret=secret)


class ApiClientList(msgspec.Struct):
    items: list[ApiClientOut]


class ScopeOut(msgspec.Struct):
    key: str
    area: str
    description: str


class ScopeList(msgspec.Struct):
    items: list[ScopeOut]


class TokenRequest(msgspec.Struct):
    """RFC 6749 §4.4.2, form-encoded. ``client_id``/``client_secret`` here are
    client_secret_post; HTTP Basic (client_secret_basic) sends them in Authorization.
    Unlike every other body of the API it keeps unknown fields open: §3.2 says the server
    MUST ignore request parameters it does not recognize."""

    grant_type: str | None = None
    scope: str | None = None
    client_id: str | None = None
    client_secret: str | None = None


class ClientTokenOut(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int
    scope: str


OAUTH_PROBLEM_TYPE = "https://www.rfc-editor.org/rfc/rfc6749#section-5.2"
OAuthErrorCode = Annotated[str, msgspec.Meta(
    description="RFC 6749 §5.2's error code",
    examples=["invalid_request", "invalid_client", "unsupported_grant_type", "invalid_scope"])]


class OAuthProblem(msgspec.Struct):
    """A refused token request: an RFC 9457 problem document (``type`` is RFC 6749 §5.2,
    ``detail`` = ``error_description``) whose extension members ``error`` and
    ``error_description`` are RFC 6749 §5.2's, so an OAuth client and a problem-details
    client each read what they expect."""

    type: Annotated[str, msgspec.Meta(examples=[OAUTH_PROBLEM_TYPE])]
    title: Annotated[str, msgspec.Meta(examples=["Token request refused"])]
    status: Annotated[int, msgspec.Meta(ge=400, le=599)]
    detail: str
    error: OAuthErrorCode
    error_description: str
