"""Shapes of the SSO settings at the edge: what an owner or admin sends and reads back
(the client secret only as "set" / "not set")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

import msgspec

Issuer = Annotated[str, msgspec.Meta(
    min_length=8, max_length=500, pattern=r"^https?://[^\s?#]+$",
    description="The provider's issuer URL, exactly as its ID tokens name it "
                "(https:// in production); its discovery document is "
                "<issuer>/.well-known/openid-configuration")]
ClientId = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")]
ClientSecret = Annotated[str, msgspec.Meta(min_length=1, max_length=500,
                                           pattern=r"^[\x20-\x7e]+$")]
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=80,
                                          pattern=r"^[^\x00-\x1f\x7f]*\S[^\x00-\x1f\x7f]*$")]
Domain = Annotated[str, msgspec.Meta(
    min_length=3, max_length=253,
    pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    description="An e-mail domain in lowercase, e.g. acme.example")]
Provisioning = Literal["jit", "invited"]
DefaultRole = Literal["admin", "member", "viewer"]


class SsoIn(msgspec.Struct, forbid_unknown_fields=True):
    """The tenant's SSO settings, replaced whole. ``client_secret`` left out keeps the
    stored one; ``null`` removes it (a public client using PKCE only)."""

    openapi_example: ClassVar[dict[str, Any]] = {
        "issuer": "https://login.acme.example", "client_id": "rapport",
        "client_secret": "s3cr3t-from-the-provider", "display_name": "Acme Login",
        "allowed_domains": ["acme.example"], "provisioning": "jit", "default_role": "member",
        "require_sso": False,
    }
    issuer: Issuer
    client_id: ClientId
    display_name: DisplayName
    allowed_domains: Annotated[list[Domain], msgspec.Meta(min_length=1, max_length=50)]
    provisioning: Provisioning
    default_role: DefaultRole = "member"
    require_sso: bool = False
    client_secret: ClientSecret | msgspec.UnsetType | None = msgspec.UNSET


class SsoOut(msgspec.Struct):
    issuer: str
    client_id: str
    client_secret: Literal["set", "not set"]
    display_name: str
    allowed_domains: list[str]
    provisioning: Provisioning
    default_role: str
    require_sso: bool
    # What the admin registers at the provider as the allowed redirect (callback) URI.
    redirect_uri: str
    scopes: str
    updated_at: datetime


class SsoTestOut(msgspec.Struct):
    """The provider answered and its metadata and keys are usable."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    signing_keys: int
    algorithms: list[str]
