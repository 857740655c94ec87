"""Two-factor sign-in through HTTP: enrolment, the login's second step, replay and recovery
codes, the tenant's policy, throttling of code guesses, and tenants kept apart."""

from __future__ import annotations

import time

import pyotp
import pytest
from litestar.testing import TestClient

from rapport.app import create_app
from rapport.tenancy import totp as totp_steps
from tests.conftest import TenantHandle, add_member, login, make_settings, sign_up, unique

LOGIN = "/api/v1/auth/login"
SECOND = "/api/v1/auth/login/2fa"


def _password(client, slug, email, password, address=None):
    headers = {"X-Forwarded-For": address} if address else {}
    r = client.post(LOGIN, json={"tenant": slug, "email": email, "password": password},
                    headers=headers)
    client.cookies.clear()
    return r


def _fresh_code(secret: str) -> str:
    """This step's code (for a person whose codes of this step are not spent yet)."""
    return pyotp.TOTP(secret).now()


def _next_step_code(secret: str) -> str:
    """The next step's code, for when this step's code is spent (a code is refused twice
    in one step by design): the server allows one step of clock drift either way
    (rapport.tenancy.totp.DRIFT_STEPS), so it is good now, without waiting for the clock."""
    return pyotp.TOTP(secret).at(time.time() + totp_steps.STEP_SECONDS)


def _enrol(client, headers) -> tuple[str, list[str]]:
    """Turn 2FA on for the bearer's person: the secret and the recovery codes."""
    r = client.post("/api/v1/me/2fa/totp", headers=headers)
    assert r.status_code == 201, r.text
    body = r.json()
    secret = body["secret"]
    assert body["otpauth_uri"].startswith("otpauth://totp/")
    assert f"secret={secret}" in body["otpauth_uri"]
    assert body["qr_svg"].startswith("<svg") and body["qr_data_uri"].startswith("data:image/svg")
    r = client.post("/api/v1/me/2fa/totp/confirm", headers=headers,
                    json={"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 200, r.text
    codes = r.json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    return secret, codes


def _challenge(client, t: TenantHandle, email=None, password=None, address=None) -> dict:
    r = _password(client, t.slug, email or t.owner_email, password or t.owner_password, address)
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["type"] == "urn:rapport:problem:second-factor-required"
    assert body["challenge"]["expires_in"] > 0
    return body["challenge"]


def _second(client, challenge: str, address=None, **answer):
    headers = {"X-Forwarded-For": address} if address else {}
    r = client.post(SECOND, json={"challenge": challenge, **answer}, headers=headers)
    client.cookies.clear()
    return r


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_enrol_then_sign_in_with_a_code(client, tenant):
    secret, _ = _enrol(client, tenant.headers)
    status = client.get("/api/v1/me/2fa", headers=tenant.headers).json()
    assert status == {"enabled": True, "pending": False, "recovery_codes_left": 10}
    # The secret is never shown again: starting over is refused while it is on.
    assert client.post("/api/v1/me/2fa/totp", headers=tenant.headers).status_code == 409

    challenge = _challenge(client, tenant)
    assert challenge["kind"] == "totp"
    # The challenge is not an access token.
    assert client.get("/api/v1/me", headers=_bearer(challenge["token"])).status_code == 401
    r = _second(client, challenge["token"], code=_next_step_code(secret))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["recovery_codes"] == []
    me = client.get("/api/v1/me", headers=_bearer(body["access_token"]))
    assert me.status_code == 200 and me.json()["tenant"]["slug"] == tenant.slug
    assert "rapport_session=" in r.headers["set-cookie"]


def test_a_code_is_refused_twice_in_the_same_step(client, tenant):
    secret, _ = _enrol(client, tenant.headers)
    code = _next_step_code(secret)
    first = _second(client, _challenge(client, tenant)["token"], code=code)
    assert first.status_code == 200, first.text
    again = _second(client, _challenge(client, tenant)["token"], code=code)
    assert again.status_code == 401
    assert "already used" in again.json()["detail"]


def test_wrong_code_is_401_and_the_challenge_survives_it(client, tenant):
    secret, _ = _enrol(client, tenant.headers)
    challenge = _challenge(client, tenant)["token"]
    right = pyotp.TOTP(secret).now()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    r = _second(client, challenge, code=wrong)
    assert r.status_code == 401 and "wrong" in r.json()["detail"]
    ok = _second(client, challenge, code=_next_step_code(secret))
    assert ok.status_code == 200, ok.text
    # Used: a second answer with the same challenge names it.
    reused = _second(client, challenge, code=pyotp.TOTP(secret).now())
    assert reused.status_code == 401
    assert "already used" in reused.json()["detail"]


def test_recovery_code_works_once(client, tenant):
    _, codes = _enrol(client, tenant.headers)
    r = _second(client, _challenge(client, tenant)["token"], recovery_code=codes[0].upper())
    assert r.status_code == 200, r.text
    again = _second(client, _challenge(client, tenant)["token"], recovery_code=codes[0])
    assert again.status_code == 401
    status = client.get("/api/v1/me/2fa", headers=_bearer(r.json()["access_token"])).json()
    assert status["recovery_codes_left"] == 9


def test_challenge_expired_forged_or_without_answer(client, tenant):
    _enrol(client, tenant.headers)
    challenge = _challenge(client, tenant)["token"]
    assert _second(client, challenge).status_code == 422
    both = _second(client, challenge, code="123456", recovery_code="aaaa-bbbb-cccc-dddd")
    assert both.status_code == 422
    head, payload, _sig = challenge.split(".")
    forged = _second(client, f"{head}.{payload}.AAAA", code="123456")
    assert forged.status_code == 401 and "invalid" in forged.json()["detail"]


def test_expired_challenge_is_named(client, database, tenant):
    _enrol(client, tenant.headers)
    challenge = _challenge(client, tenant)["token"]
    # The row decides (the token itself is still within its time): past its expiry.
    with database.connect_superuser() as conn:
        conn.execute("UPDATE sign_in_challenges SET expires_at = now() - interval '1 second'"
                     " WHERE tenant_id = %s", (tenant.id,))
    r = _second(client, challenge, code="123456")
    assert r.status_code == 401
    assert r.json()["detail"] == "The sign-in challenge has expired: sign in again"


def test_code_guesses_are_throttled_with_the_password(client, database):
    settings = make_settings(login_lockout_after=4)
    t = sign_up(client)
    secret, _ = _enrol(client, t.headers)
    address = f"198.51.100.{int(time.time()) % 250 + 1}-{unique()}"
    with TestClient(create_app(settings, database.app_url)) as c:
        challenge = _challenge(c, t, address=address)["token"]  # 1 counted
        right = pyotp.TOTP(secret).now()
        wrong = f"{(int(right) + 7) % 1_000_000:06d}"
        statuses = [_second(c, challenge, address=address, code=wrong).status_code
                    for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        # Closed for this pair, even with the right code.
        assert _second(c, challenge, address=address, code=right).status_code == 429


def test_turn_off_needs_the_password_or_a_code(client, tenant):
    secret, _ = _enrol(client, tenant.headers)
    h = tenant.headers
    wrong = client.request("DELETE", "/api/v1/me/2fa", headers=h,
                           json={"password": "not my password at all"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "password"
    assert client.request("DELETE", "/api/v1/me/2fa", headers=h, json={}).status_code == 422
    off = client.request("DELETE", "/api/v1/me/2fa", headers=h,
                         json={"password": tenant.owner_password})
    assert off.status_code == 204
    # Off: the password alone signs in again.
    assert _password(client, tenant.slug, tenant.owner_email, tenant.owner_password).status_code == 200
    assert client.get("/api/v1/me/2fa", headers=h).json()["enabled"] is False
    assert secret


def test_renew_recovery_codes_needs_a_code(client, tenant):
    secret, old = _enrol(client, tenant.headers)
    bad = client.post("/api/v1/me/2fa/recovery-codes", headers=tenant.headers,
                      json={"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert bad.status_code == 422
    code = _next_step_code(secret)
    r = client.post("/api/v1/me/2fa/recovery-codes", headers=tenant.headers, json={"code": code})
    assert r.status_code == 200, r.text
    new = r.json()["recovery_codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert _second(client, _challenge(client, tenant)["token"],
                   recovery_code=old[1]).status_code == 401
    assert _second(client, _challenge(client, tenant)["token"],
                   recovery_code=new[1]).status_code == 200


def test_secret_is_encrypted_at_rest(client, database, tenant):
    secret, codes = _enrol(client, tenant.headers)
    with database.connect_owner() as conn:
        stored = conn.execute("SELECT secret FROM user_totp").fetchall()
        hashes = conn.execute("SELECT code_hash FROM user_recovery_codes").fetchall()
    assert stored and all(secret not in row[0] for row in stored)
    assert all(c.replace("-", "") not in {h[0] for h in hashes} for c in codes)


# ---------------------------------------------------------------- the tenant's policy


def test_policy_admins_asks_an_admin_without_2fa_to_enrol(client, tenant):
    secret, _ = _enrol(client, tenant.headers)
    admin_email = f"admin-{unique()}@example.com"
    add_member(client, tenant, admin_email, role="admin")
    member_email = f"member-{unique()}@example.com"
    add_member(client, tenant, member_email, role="member")
    admin_token = login(client, tenant.slug, admin_email, "member password 1")
    r = client.put("/api/v1/auth/policy", headers=tenant.headers, json={"require_2fa": "admins"})
    assert r.status_code == 200 and r.json()["require_2fa"] == "admins"
    assert client.get("/api/v1/auth/policy", headers=tenant.headers).json()["require_2fa"] == "admins"
    # The admin's session without a second factor ended with the new policy.
    assert client.get("/api/v1/me", headers=_bearer(admin_token)).status_code == 401
    # A member is not covered.
    assert _password(client, tenant.slug, member_email, "member password 1").status_code == 200

    challenge = _challenge(client, tenant, admin_email, "member password 1")
    assert challenge["kind"] == "enrol"
    # The enrolment challenge opens nothing else: no data, no token.
    assert client.get("/api/v1/contacts", headers=_bearer(challenge["token"])).status_code == 401
    enrolment = client.post(f"{SECOND}/enrolment", json={"challenge": challenge["token"]})
    assert enrolment.status_code == 201, enrolment.text
    admin_secret = enrolment.json()["secret"]
    # A recovery code cannot finish an enrolment.
    assert _second(client, challenge["token"],
                   recovery_code="aaaa-bbbb-cccc-dddd").status_code == 422
    done = _second(client, challenge["token"], code=pyotp.TOTP(admin_secret).now())
    assert done.status_code == 200, done.text
    assert len(done.json()["recovery_codes"]) == 10
    token = done.json()["access_token"]
    assert client.get("/api/v1/contacts", headers=_bearer(token)).status_code == 200
    assert client.get("/api/v1/me/2fa", headers=_bearer(token)).json()["enabled"] is True
    assert secret != admin_secret


def test_policy_everyone_and_only_managers_set_it(client, tenant):
    member_email = f"member-{unique()}@example.com"
    add_member(client, tenant, member_email, role="member")
    member = login(client, tenant.slug, member_email, "member password 1")
    assert client.put("/api/v1/auth/policy", headers=_bearer(member),
                      json={"require_2fa": "everyone"}).status_code == 403
    # The owner has no 2FA: requiring it of everyone would lock them out.
    refused = client.put("/api/v1/auth/policy", headers=tenant.headers,
                         json={"require_2fa": "everyone"})
    assert refused.status_code == 409
    assert client.put("/api/v1/auth/policy", headers=tenant.headers,
                      json={"require_2fa": "sometimes"}).status_code == 422
    _enrol(client, tenant.headers)
    assert client.put("/api/v1/auth/policy", headers=tenant.headers,
                      json={"require_2fa": "everyone"}).status_code == 200
    assert _challenge(client, tenant, member_email, "member password 1")["kind"] == "enrol"
    audit = client.get("/api/v1/audit", headers=tenant.headers,
                       params={"record_type": "two_factor_policy"}).json()
    assert any(e["changes"] == {"require_2fa": ["off", "everyone"]} for e in audit["items"])


def test_policy_of_one_tenant_never_touches_another(client):
    a = sign_up(client)
    b = sign_up(client)
    email = f"both-{unique()}@example.com"
    add_member(client, a, email, role="admin")
    add_member(client, b, email, role="admin")
    in_b = login(client, b.slug, email, "member password 1")
    _enrol(client, a.headers)
    assert client.put("/api/v1/auth/policy", headers=a.headers,
                      json={"require_2fa": "everyone"}).status_code == 200
    # A asks for enrolment; B's sign-in and B's session are as before.
    assert _challenge(client, a, email, "member password 1")["kind"] == "enrol"
    assert client.get("/api/v1/me", headers=_bearer(in_b)).status_code == 200
    assert _password(client, b.slug, email, "member password 1").status_code == 200
    assert client.get("/api/v1/auth/policy", headers=b.headers).json()["require_2fa"] == "off"


def test_a_challenge_of_one_tenant_cannot_sign_in_to_another(client):
    a = sign_up(client)
    b = sign_up(client)
    secret, _ = _enrol(client, a.headers)
    challenge = _challenge(client, a)["token"]
    r = _second(client, challenge, code=_next_step_code(secret))
    assert r.status_code == 200
    token = r.json()["access_token"]
    assert client.get("/api/v1/me", headers={**_bearer(token), "X-Rapport-Tenant": b.slug}
                      ).status_code == 401
    assert client.get("/api/v1/auth/policy", headers=_bearer(token)).json()["require_2fa"] == "off"
    # The person's own 2FA is theirs everywhere: it is asked in B too if they join it.


def test_second_steps_are_in_the_sign_in_log(client, tenant):
    secret, _ = _enrol(client, tenant.headers)
    challenge = _challenge(client, tenant)["token"]
    assert _second(client, challenge, code="000000" if pyotp.TOTP(secret).now() != "000000"
                   else "111111").status_code == 401
    ok = _second(client, challenge, code=_next_step_code(secret))
    assert ok.status_code == 200
    items = client.get("/api/v1/me/sign-ins", headers=_bearer(ok.json()["access_token"])
                       ).json()["items"]
    seen = [(i["method"], i["outcome"]) for i in items]
    assert ("totp", "success") in seen and ("totp", "refused") in seen
    assert ("totp", "challenge") in seen


@pytest.mark.parametrize("path", ["/api/v1/me/2fa", "/api/v1/auth/policy"])
def test_signed_out_callers_get_401(client, path):
    assert client.get(path).status_code == 401
