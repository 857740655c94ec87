"""Request and response shapes at the edge (msgspec: fast, and they drive OpenAPI)."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from rapport.fieldtypes import Email, Name, Password, RoleName, ShortText, Slug, Token


class OrganizationIn(msgspec.Struct):
    name: Name
    slug: Slug


class AdminIn(msgspec.Struct):
    email: Email
    password: Password
    full_name: Name


class SignupIn(msgspec.Struct):
    organization: OrganizationIn
    admin: AdminIn


class TenantOut(msgspec.Struct):
    id: uuid.UUID
    slug: str
    name: str


class UserOut(msgspec.Struct):
    id: uuid.UUID
    email: str


class SignupOut(msgspec.Struct):
    tenant: TenantOut
    user: UserOut


class LoginIn(msgspec.Struct):
    tenant: Slug
    email: Email
    password: Password


class TokenOut(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int
    csrf_token: str


class MeUser(msgspec.Struct):
    id: uuid.UUID
    email: str
    full_name: str


class MeOut(msgspec.Struct):
    user: MeUser
    tenant: TenantOut
    role: str


class MemberIn(msgspec.Struct):
    email: Email
    role: RoleName
    full_name: ShortText = ""
    password: Password | None = None


class MemberPatch(msgspec.Struct):
    role: RoleName


class MemberOut(msgspec.Struct):
    id: uuid.UUID
    user_id: uuid.UUID
    email: str
    full_name: str
    role: str
    pending: bool
    created_at: datetime
    invitation_url: str | None = None


class MemberList(msgspec.Struct):
    items: list[MemberOut]


class AcceptInvitationIn(msgspec.Struct):
    tenant: Slug
    token: Token
    password: Password
