"""Kernel area: sign-up, login, sessions, credentials, members."""

from __future__ import annotations

from typing import Any

from rapport.hooks import PluginManifest, hookimpl
from rapport.tenancy.api_client_controllers import ApiClientController, OAuthController
from rapport.tenancy.controllers import AccountController
from rapport.tenancy.credential_controllers import CredentialController
from rapport.tenancy.member_controllers import MemberController
from rapport.tenancy.sign_in_controllers import SignInController
from rapport.tenancy.sso.controllers import SsoSettingsController, SsoSignInController
from rapport.tenancy.two_factor_controllers import (
    MyTwoFactorController,
    PolicyController,
    SecondStepController,
)


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="tenancy", title="Accounts and members", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [AccountController, CredentialController, MemberController, SignInController,
            MyTwoFactorController, SecondStepController, PolicyController,
            SsoSettingsController, SsoSignInController,
            ApiClientController, OAuthController]
