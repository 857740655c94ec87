"""Request and response shapes of two-factor sign-in (docs/auth.md, "Two-factor sign-in")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

import msgspec

from rapport.fieldtypes import Password

Code = Annotated[str, msgspec.Meta(min_length=6, max_length=8, pattern=r"^[0-9 ]+$",
                                   description="A 6-digit code of the authenticator app")]
RecoveryCodeText = Annotated[str, msgspec.Meta(
    min_length=16, max_length=40, pattern=r"^[A-Za-z0-9 -]+$",
    description="One of the recovery codes (hyphens and spaces are ignored)")]
ChallengeToken = Annotated[str, msgspec.Meta(
    min_length=1, max_length=2000, pattern=r"^[A-Za-z0-9._-]+$",
    description="The challenge token from the login's 401")]
RequireTwoFactor = Literal["off", "admins", "everyone"]


class TotpEnrolmentOut(msgspec.Struct):
    """The pending authenticator: shown once, while enrolling. ``secret`` is the manual
    key; ``qr_svg`` the QR code of ``otpauth_uri`` as SVG, ``qr_data_uri`` the same as a
    data: URI."""

    secret: str
    otpauth_uri: str
    qr_svg: str
    qr_data_uri: str


class TotpConfirmIn(msgspec.Struct, forbid_unknown_fields=True):
    openapi_example: ClassVar[dict[str, Any]] = {"code": "492039"}
    code: Code


class RecoveryCodesOut(msgspec.Struct):
    """Ten single-use recovery codes, shown only in this answer."""

    recovery_codes: list[str]


class TwoFactorStatusOut(msgspec.Struct):
    enabled: bool
    pending: bool
    recovery_codes_left: int


class TwoFactorOffIn(msgspec.Struct, forbid_unknown_fields=True):
    """Either the current password or a current code of the authenticator."""

    openapi_example: ClassVar[dict[str, Any]] = {"password": "correct horse battery staple"}
    password: Password | None = None
    code: Code | None = None


class CodeIn(msgspec.Struct, forbid_unknown_fields=True):
    openapi_example: ClassVar[dict[str, Any]] = {"code": "492039"}
    code: Code


class SecondStepIn(msgspec.Struct, forbid_unknown_fields=True):
    """The login's second step: the challenge and either ``code`` or ``recovery_code``."""

    openapi_example: ClassVar[dict[str, Any]] = {
        "challenge": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl", "code": "492039",
    }
    challenge: ChallengeToken
    code: Code | None = None
    recovery_code: RecoveryCodeText | None = None


class ChallengeIn(msgspec.Struct, forbid_unknown_fields=True):
    challenge: ChallengeToken


class SecondStepOut(msgspec.Struct):
    """The session, as the login's answer; ``recovery_codes`` only when this sign-in turned
    two-factor sign-in on (an enrolment challenge), shown only here."""

    access_token: str
    token_type: str
    expires_in: int
    csrf_token: str
    recovery_codes: list[str]


class PolicyIn(msgspec.Struct, forbid_unknown_fields=True):
    openapi_example: ClassVar[dict[str, Any]] = {"require_2fa": "admins"}
    require_2fa: RequireTwoFactor


class PolicyOut(msgspec.Struct):
    require_2fa: RequireTwoFactor
    updated_at: datetime | None
