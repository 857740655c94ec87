"""Login: one answer for every kind of wrong, throttling, tokens and sessions."""

import secrets
import time

from joserfc import jwt
from joserfc.jwk import OctKey
from litestar.testing import TestClient

from rapport.app import create_app
from rapport.tenancy import tokens
from rapport.tenancy.tokens import read_access_token
from tests.conftest import TEST_SECRET, add_member, login, make_settings, sign_up, unique


def _login(client, slug, email, password, address=None):
    headers = {"X-Forwarded-For": address} if address else {}
    return client.post(
        "/api/v1/auth/login",
        json={"tenant": slug, "email": email, "password": password},
        headers=headers,
    )


def test_login_returns_bearer_token_and_session_cookie(client, tenant):
    r = _login(client, tenant.slug, tenant.owner_email, tenant.owner_password)
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] > 0
    assert body["access_token"]
    cookie = r.headers["set-cookie"]
    assert "rapport_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_wrong_password_and_unknown_email_look_the_same(client, tenant):
    wrong = _login(client, tenant.slug, tenant.owner_email, "not the password at all")
    unknown = _login(client, tenant.slug, "nobody@example.com", "not the password at all")
    no_tenant = _login(client, unique("ghost"), tenant.owner_email, tenant.owner_password)
    assert wrong.status_code == unknown.status_code == no_tenant.status_code == 401
    assert wrong.json() == unknown.json() == no_tenant.json()


def test_member_of_another_tenant_cannot_log_into_this_one(client, tenant, other_tenant):
    r = _login(client, tenant.slug, other_tenant.owner_email, other_tenant.owner_password)
    assert r.status_code == 401


def test_repeated_failures_are_slowed_then_refused(client):
    t = sign_up(client)
    settings = make_settings()
    statuses = []
    for _ in range(settings.login_lockout_after + 1):
        statuses.append(_login(client, t.slug, t.owner_email, "wrong password here").status_code)
    assert statuses[: settings.login_lockout_after] == [401] * settings.login_lockout_after
    assert statuses[-1] == 429
    # Locked for this address even with the right password (all these requests share one
    # address; other addresses are unaffected, see test_throttle.py), and told when to come back.
    r = _login(client, t.slug, t.owner_email, t.owner_password)
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0


def test_slowdown_happens_before_lockout(client, database):
    t = sign_up(client)
    settings = make_settings(
        login_slowdown_seconds=0.3, login_slowdown_after=1, login_lockout_after=10
    )
    with TestClient(create_app(settings, database.app_url)) as c:
        _login(c, t.slug, t.owner_email, "wrong password one")
        started = time.perf_counter()
        _login(c, t.slug, t.owner_email, "wrong password two")
        assert time.perf_counter() - started >= 0.3


def test_many_failures_from_one_address_are_refused(client, database):
    t = sign_up(client)
    settings = make_settings(login_address_lockout_after=3)
    with TestClient(create_app(settings, database.app_url)) as c:
        addr = f"203.0.113.{secrets.randbelow(250) + 1}-{secrets.token_hex(3)}"
        for i in range(3):
            r = _login(c, t.slug, f"someone{i}@example.com", "wrong password x", addr)
            assert r.status_code == 401
        assert _login(c, t.slug, t.owner_email, t.owner_password, addr).status_code == 429
        # Another address is not affected.
        assert _login(c, t.slug, t.owner_email, t.owner_password, addr + "b").status_code == 200


def test_success_resets_the_counter_of_its_account_and_address(client):
    t = sign_up(client)
    for _ in range(3):
        _login(client, t.slug, t.owner_email, "wrong password here")
    assert _login(client, t.slug, t.owner_email, t.owner_password).status_code == 200
    for _ in range(3):
        assert _login(client, t.slug, t.owner_email, "wrong password here").status_code == 401


def test_me_shows_user_tenant_role(client, tenant):
    r = client.get("/api/v1/me", headers=tenant.headers)
    assert r.status_code == 200
    body = r.json()
    assert body["user"]["email"] == tenant.owner_email
    assert body["tenant"] == {"id": tenant.id, "slug": tenant.slug, "name": f"Org {tenant.slug}"}
    assert body["role"] == "owner"


def test_session_cookie_works_for_reads_and_needs_csrf_for_writes(database):
    with TestClient(create_app(make_settings(), database.app_url)) as c:
        t = sign_up(c)
        r = _login(c, t.slug, t.owner_email, t.owner_password)
        csrf = r.json()["csrf_token"]
        # The client now holds the cookie; no Authorization header.
        assert c.get("/api/v1/me").status_code == 200
        assert c.post("/api/v1/contacts", json={"given_name": "Taras"}).status_code == 401
        ok = c.post(
            "/api/v1/contacts", json={"given_name": "Taras"}, headers={"X-CSRF-Token": csrf}
        )
        assert ok.status_code == 201
        assert c.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
        assert c.get("/api/v1/me").status_code == 401


def _forge(claims: dict, secret: str = TEST_SECRET) -> str:
    return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(secret.encode()))


def test_tampered_expired_and_foreign_tokens_are_401(client, tenant, other_tenant):
    me = client.get("/api/v1/me", headers=tenant.headers).json()
    now = int(time.time())
    base = {
        "sub": me["user"]["id"],
        "tid": tenant.id,
        "aud": "rapport-api",
        "iat": now,
        "exp": now + 600,
        "csrf": "x",
    }
    head, payload, sig = tenant.token.split(".")
    tampered = f"{head}.{payload}.{sig[:-4]}AAAA"
    cases = {
        "tampered": tampered,
        "wrong key": _forge(base, secret="another-secret-" + "y" * 40),
        "expired": _forge({**base, "exp": now - 10}),
        "other tenant": _forge({**base, "tid": other_tenant.id}),  # user is not a member there
        "garbage": "not-a-jwt",
        "alg none": f"{head.replace(head, 'eyJhbGciOiJub25lIn0')}.{payload}.",
    }
    client.cookies.clear()
    for name, token in cases.items():
        r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, name
    assert client.get("/api/v1/me").status_code == 401


def test_a_token_accepted_before_is_refused_once_it_expires(client, tenant, monkeypatch):
    """Tokens already checked are kept (``rapport.tenancy.tokens._verified``); their expiry
    is still checked on every request."""
    assert client.get("/api/v1/me", headers=tenant.headers).status_code == 200
    claims = read_access_token(TEST_SECRET, tenant.token)
    later = claims.expires_at + 1
    monkeypatch.setattr(tokens.time, "time", lambda: later)
    client.cookies.clear()
    assert client.get("/api/v1/me", headers=tenant.headers).status_code == 401


def test_a_header_cannot_switch_the_tenant(client, tenant, other_tenant):
    r = client.get("/api/v1/me", headers={**tenant.headers, "X-Rapport-Tenant": other_tenant.slug})
    assert r.status_code == 401
    r = client.get("/api/v1/me", headers={**tenant.headers, "X-Rapport-Tenant": tenant.slug})
    assert r.status_code == 200


def test_user_in_two_tenants_picks_one_at_login(client, tenant, other_tenant):
    add_member(client, other_tenant, tenant.owner_email, role="viewer",
               password=tenant.owner_password)
    token = login(client, other_tenant.slug, tenant.owner_email, tenant.owner_password)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["tenant"]["slug"] == other_tenant.slug
    assert me["role"] == "viewer"
