"""Request and response shapes at the edge (msgspec: fast, and they drive OpenAPI)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

import msgspec

from rapport.fieldtypes import (
    Email,
    Name,
    NewPassword,
    NewSlug,
    Password,
    RoleName,
    ShortText,
    Slug,
    Token,
)


class OrganizationIn(msgspec.Struct, forbid_unknown_fields=True):
    # Its OpenAPI component's name: another area has a struct of the same name.
    __schema_name__ = "SignupOrganizationIn"
    name: Name
    slug: NewSlug


class AdminIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: NewPassword
    full_name: Name


class SignupIn(msgspec.Struct, forbid_unknown_fields=True):
    openapi_example: ClassVar[dict[str, Any]] = {
        "organization": {"name": "Acme Dental", "slug": "acme-dental"},
        "admin": {
            "email": "olena@acme-dental.example",
            "password": "correct horse battery staple",
            "full_name": "Olena Kovalenko",
        },
    }
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


class LoginIn(msgspec.Struct, forbid_unknown_fields=True):
    openapi_example: ClassVar[dict[str, Any]] = {
        "tenant": "acme-dental",
        "email": "olena@acme-dental.example",
        "password": "correct horse battery staple",
    }
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
    email_verified: bool = False


class MeOut(msgspec.Struct):
    user: MeUser
    tenant: TenantOut
    role: str


class MemberIn(msgspec.Struct, forbid_unknown_fields=True):
    """Invite a person. There is no password here: only the person sets theirs, from the
    link e-mailed to them."""
    openapi_example: ClassVar[dict[str, Any]] = {
        "email": "taras@acme-dental.example", "role": "member", "full_name": "Taras Melnyk",
    }

    email: Email
    role: RoleName
    full_name: ShortText = ""


class MemberPatch(msgspec.Struct, forbid_unknown_fields=True):
    role: RoleName


class MemberOut(msgspec.Struct):
    id: uuid.UUID
    user_id: uuid.UUID
    email: str
    full_name: str
    role: str
    pending: bool
    created_at: datetime


class MemberList(msgspec.Struct):
    items: list[MemberOut]


class AcceptInvitationIn(msgspec.Struct, forbid_unknown_fields=True):
    """``password``: the first password of a person who has none yet, otherwise their
    current one. ``full_name``: how a new person wants to be called."""

    tenant: Slug
    token: Token
    password: Password
    full_name: ShortText = ""


class NoticeOut(msgspec.Struct):
    detail: str


class PasswordChangeIn(msgspec.Struct, forbid_unknown_fields=True):
    current_password: Password
    new_password: NewPassword


class PasswordResetIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email


class PasswordResetConfirmIn(msgspec.Struct, forbid_unknown_fields=True):
    token: Token
    password: NewPassword


class VerifyEmailIn(msgspec.Struct, forbid_unknown_fields=True):
    token: Token


class SessionOut(msgspec.Struct):
    id: uuid.UUID
    created_at: datetime
    expires_at: datetime
    user_agent: str
    address: str
    current: bool


class SessionList(msgspec.Struct):
    items: list[SessionOut]
