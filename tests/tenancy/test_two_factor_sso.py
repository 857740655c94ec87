"""The tenant's two-factor policy and single sign-on (docs/auth.md, "Two-factor sign-in"):
sign-ins through the organization's identity provider are not asked for a code, and turning
the policy on does not end the sessions SSO opened — while a password session it covers
ends. Against the real OIDC provider of the SSO tests, on loopback."""

from __future__ import annotations

import httpx
import pyotp

from tests.tenancy.sso_support import (
    browser_client,
    invite_and_accept,
    org_with_sso,
    provider,
    sso_server,
)

__all__ = ["provider", "sso_server"]  # fixtures


def _me(client: httpx.Client, headers: dict[str, str] | None = None) -> httpx.Response:
    return client.get("/api/v1/me", headers={"Accept": "application/json", **(headers or {})})


def test_policy_does_not_apply_to_sso_sign_ins_or_their_sessions(sso_server, provider):
    org = org_with_sso(sso_server, provider)
    owner = org.owner
    # The owner turns 2FA on (required before requiring it of everyone).
    secret = owner.api.post("/api/v1/me/2fa/totp", headers=owner.headers).json()["secret"]
    r = owner.api.post("/api/v1/me/2fa/totp/confirm", headers=owner.headers,
                       json={"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 200, r.text
    # A password member, signed in before the policy.
    email = f"pat@{org.domain}"
    invite_and_accept(sso_server, owner, email, "member", "member password 1")
    r = owner.api.post("/api/v1/auth/login", json={"tenant": org.slug, "email": email,
                                                   "password": "member password 1"})
    assert r.status_code == 200, r.text
    password_session = {"Authorization": f"Bearer {r.json()['access_token']}"}

    provider.sign_in_as("sub-sso-ada", f"ada@{org.domain}", name="Ada Lovelace")
    with browser_client(sso_server) as sso:
        assert str(sso.get(f"/api/v1/auth/sso/{org.slug}/start").url) == f"{sso_server}/"
        assert _me(sso).status_code == 200

        r = owner.api.put("/api/v1/auth/policy", headers=owner.headers,
                          json={"require_2fa": "everyone"})
        assert r.status_code == 200, r.text
        # The SSO session stays; the password session it covers ended.
        assert _me(sso).status_code == 200
        assert _me(owner.api, headers=password_session).status_code == 401

    # A new SSO sign-in is not asked for a code either; the password is.
    with browser_client(sso_server) as sso:
        r = sso.get(f"/api/v1/auth/sso/{org.slug}/start")
        assert str(r.url) == f"{sso_server}/"
        assert _me(sso).json()["user"]["email"] == f"ada@{org.domain}"
    r = owner.api.post("/api/v1/auth/login", json={"tenant": org.slug, "email": email,
                                                   "password": "member password 1"})
    assert r.status_code == 401 and r.json()["challenge"]["kind"] == "enrol"
