"""The console's two-factor forms through HTTP (the browser walk covers set-up and sign-in):
the policy page refuses, beside the choice, an owner without 2FA requiring it of owners;
renewing codes and turning off refuse a wrong code or password beside the field, then work;
a spent challenge goes back to the sign-in form saying so."""

from __future__ import annotations

import re

import pyotp

from tests.conftest import add_member, sign_up, unique
from tests.console.support import form_token, sign_in


def _enrol(client, t) -> str:
    secret = client.post("/api/v1/me/2fa/totp", headers=t.headers).json()["secret"]
    r = client.post("/api/v1/me/2fa/totp/confirm", headers=t.headers,
                    json={"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 200, r.text
    return secret


def _wrong(secret: str) -> str:
    return "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"


def test_policy_page_refuses_then_saves(client):
    t = sign_up(client)
    csrf = sign_in(client, t)
    page = client.get("/settings/security")
    assert page.status_code == 200 and 'value="off" checked' in page.text
    r = client.post("/settings/security", data={"_csrf": csrf, "require_2fa": "admins"})
    assert r.status_code == 409 and 'id="policy-error"' in r.text
    assert client.get("/api/v1/auth/policy", headers=t.headers).json()["require_2fa"] == "off"
    r = client.post("/settings/security", data={"_csrf": csrf, "require_2fa": "sometimes"})
    assert r.status_code == 422
    _enrol(client, t)
    r = client.post("/settings/security", data={"_csrf": csrf, "require_2fa": "admins"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/settings/security?saved=1"
    assert client.get("/api/v1/auth/policy", headers=t.headers).json()["require_2fa"] == "admins"


def test_renew_and_turn_off_from_the_security_page(client):
    t = sign_up(client)
    csrf = sign_in(client, t)
    secret = _enrol(client, t)
    page = client.get("/account/security").text
    assert "Recovery codes left: 10" in page
    r = client.post("/account/security/2fa/recovery-codes",
                    data={"_csrf": csrf, "renew_code": _wrong(secret)})
    assert r.status_code == 422 and 'id="f-renew_code-error"' in r.text
    r = client.post("/account/security/2fa/off",
                    data={"_csrf": csrf, "off_password": "not the password at all"})
    assert r.status_code == 422 and 'id="f-off_password-error"' in r.text
    assert client.get("/api/v1/me/2fa", headers=t.headers).json()["enabled"] is True
    r = client.post("/account/security/2fa/off",
                    data={"_csrf": csrf, "off_password": t.owner_password},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/account/security?two_factor=off"
    assert client.get("/api/v1/me/2fa", headers=t.headers).json()["enabled"] is False
    assert "Two-factor sign-in is off." in client.get("/account/security?two_factor=off").text


def test_a_spent_challenge_goes_back_to_the_sign_in_form(client, database):
    t = sign_up(client)
    _enrol(client, t)
    token = form_token(client)
    r = client.post("/sign-in", data={"_csrf": token, "tenant": t.slug,
                                      "email": t.owner_email, "password": t.owner_password,
                                      "next": "/contacts"})
    assert r.status_code == 200 and 'action="/sign-in/second-step"' in r.text
    challenge = re.search(r'name="challenge" value="([^"]+)"', r.text).group(1)
    with database.connect_superuser() as conn:
        conn.execute("UPDATE sign_in_challenges SET expires_at = now() - interval '1 second'"
                     " WHERE tenant_id = %s", (t.id,))
    r = client.post("/sign-in/second-step", data={
        "_csrf": token, "challenge": challenge, "kind": "totp", "next": "/contacts",
        "tenant": t.slug, "email": t.owner_email, "code": "123456"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/sign-in?") and "step_ended=1" in r.headers["location"]
    assert "has ended" in client.get(r.headers["location"]).text


def test_members_cannot_reach_the_policy_page(client):
    t = sign_up(client)
    email = f"member-{unique()}@example.com"
    add_member(client, t, email, role="member", password="plain member password")
    csrf = sign_in(client, t, email=email, password="plain member password")
    assert client.get("/settings/security").status_code == 403
    r = client.post("/settings/security", data={"_csrf": csrf, "require_2fa": "off"})
    assert r.status_code == 403
    assert client.get("/api/v1/auth/policy", headers=t.headers).json()["updated_at"] is None
