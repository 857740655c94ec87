"""Single sign-on against a real OpenID Connect provider on loopback (tests/tenancy/
oidc_provider.py), through HTTP as a browser goes: the app's start, the provider, the app's
callback, the console signed in."""

from __future__ import annotations

import logging
import time
from urllib.parse import parse_qs, urlsplit

import httpx
from joserfc.jwk import RSAKey

from tests.conftest import unique
from tests.tenancy.oidc_provider import running_provider
from tests.tenancy.sso_support import (
    api_client,
    browser_client,
    invite_and_accept,
    org_with_sso,
    provider,
    sso_server,
    sso_settings,
    through_provider,
)

__all__ = ["provider", "sso_server"]  # fixtures


def _me(client: httpx.Client) -> dict:
    r = client.get("/api/v1/me", headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return r.json()


def _sign_ins(owner_api: httpx.Client, headers: dict) -> list[dict]:
    r = owner_api.get("/api/v1/audit", params={"record_type": "sign_in"}, headers=headers)
    assert r.status_code == 200, r.text
    return [e["detail"] for e in r.json()["items"] if e["detail"].get("method") == "sso"]


def test_a_new_person_signs_in_through_the_provider_and_lands_in_the_console(
    sso_server, provider
):
    org = org_with_sso(sso_server, provider)
    provider.sign_in_as("sub-ada", f"ada@{org.domain}", name="Ada Lovelace")
    with browser_client(sso_server) as browser:
        r = browser.get(f"/api/v1/auth/sso/{org.slug}/start")
        assert r.status_code == 200
        assert str(r.url) == f"{sso_server}/"  # the console's home, signed in
        hops = [str(h.url) for h in r.history]
        assert hops[1].startswith(f"{provider.issuer}/authorize?")
        sent = parse_qs(urlsplit(hops[1]).query)
        assert sent["code_challenge_method"] == ["S256"] and sent["nonce"][0]
        assert sent["scope"] == ["openid email profile"]
        me = _me(browser)
    assert me["user"]["email"] == f"ada@{org.domain}"
    assert me["tenant"]["slug"] == org.slug and me["role"] == "member"
    # Not a confirmed address for other tenants: the tenant's provider vouched for it.
    assert me["user"]["email_verified"] is False
    entries = _sign_ins(org.owner.api, org.owner.headers)
    assert entries[0]["outcome"] == "success" and entries[0]["created"] is True

    # The second time, the identity (issuer, sub) signs the same person in.
    with browser_client(sso_server) as browser:
        browser.get(f"/api/v1/auth/sso/{org.slug}/start")
        assert _me(browser)["user"]["id"] == me["user"]["id"]


def test_invited_only_refuses_a_stranger_and_admits_a_member(sso_server, provider, caplog):
    caplog.set_level(logging.INFO, logger="rapport.sign_in")
    org = org_with_sso(sso_server, provider, provisioning="invited")
    provider.sign_in_as("sub-new", f"new@{org.domain}")
    with api_client(sso_server) as api:
        r = api.get(f"/api/v1/auth/sso/{org.slug}/start")
        assert r.status_code == 403, r.text
        assert r.json()["reason"] == "not_invited" and "invitation" in r.json()["detail"]
    # The owner signs in with the organization's provider: linked, since already a member.
    provider.sign_in_as("sub-owner", org.owner.email)
    with api_client(sso_server) as api:
        r = api.get(f"/api/v1/auth/sso/{org.slug}/start")
        assert r.status_code == 200 and str(r.url) == f"{sso_server}/"
        assert _me(api)["role"] == "owner"
    # The refused stranger is no member: their attempt is in the application log only.
    assert [r.sign_in["reason"] for r in caplog.records
            if getattr(r, "sign_in", {}).get("method") == "sso"] == ["not_invited"]


def test_an_existing_person_of_another_tenant_is_not_attached(sso_server, provider):
    """The tenant's provider asserts the address of someone who has an account elsewhere:
    refused, told to ask for an invitation; their account and sessions are untouched."""
    org = org_with_sso(sso_server, provider)
    other = org_with_sso(sso_server, provider)  # the stranger owns another organization
    provider.sign_in_as("sub-evil", other.owner.email)
    # Allow the stranger's domain, as a malicious admin would.
    settings = sso_settings(provider, org.client_id, other.domain)
    assert org.owner.api.put("/api/v1/auth/sso", headers=org.owner.headers,
                             json=settings).status_code == 200
    with browser_client(sso_server) as browser:
        r = browser.get(f"/api/v1/auth/sso/{org.slug}/start")
        assert r.status_code == 200
        assert urlsplit(str(r.url)).path == "/sign-in"
        assert parse_qs(urlsplit(str(r.url)).query)["sso_error"] == ["not_member"]
    members = org.owner.api.get("/api/v1/members", headers=org.owner.headers).json()["items"]
    assert other.owner.email not in {m["email"] for m in members}
    # The stranger's own session in their organization still works, password unchanged.
    assert other.owner.api.get("/api/v1/me", headers=other.owner.headers).status_code == 200
    r = httpx.post(f"{sso_server}/api/v1/auth/login", json={
        "tenant": other.slug, "email": other.owner.email, "password": other.owner.password},
        timeout=30)
    assert r.status_code == 200


def test_domain_rule_and_unconfirmed_address_are_refused(sso_server, provider):
    org = org_with_sso(sso_server, provider)
    provider.sign_in_as("sub-x", "x@elsewhere.example.org")
    with api_client(sso_server) as api:
        r = api.get(f"/api/v1/auth/sso/{org.slug}/start")
    assert r.status_code == 403 and r.json()["reason"] == "domain"
    assert "elsewhere.example.org" in r.json()["detail"]
    provider.sign_in_as("sub-y", f"y@{org.domain}", verified=False)
    with api_client(sso_server) as api:
        r = api.get(f"/api/v1/auth/sso/{org.slug}/start")
    assert r.status_code == 403 and r.json()["reason"] == "email_unverified"


def test_an_id_token_for_another_tenants_configuration_is_refused(sso_server, provider):
    """Same provider, two organizations with their own client ids: a token minted for B's
    client (aud) or by another issuer does not sign anyone in to A."""
    a = org_with_sso(sso_server, provider)
    b = org_with_sso(sso_server, provider)
    provider.sign_in_as("sub-z", f"z@{a.domain}")
    provider.overrides = {"aud": b.client_id}
    with api_client(sso_server) as api:
        r = api.get(f"/api/v1/auth/sso/{a.slug}/start")
    assert r.status_code == 401 and "(aud)" in r.json()["detail"]
    provider.overrides = {"iss": "https://login.other.example"}
    with api_client(sso_server) as api:
        r = api.get(f"/api/v1/auth/sso/{a.slug}/start")
    assert r.status_code == 401 and "(iss)" in r.json()["detail"]


def test_a_code_stolen_from_another_tenants_sign_in_is_refused(sso_server, provider):
    a = org_with_sso(sso_server, provider)
    b = org_with_sso(sso_server, provider)
    provider.sign_in_as("sub-b", f"b@{b.domain}")
    with api_client(sso_server) as victim:
        back = through_provider(victim, b.slug)  # B's code, never delivered to B
    stolen = parse_qs(urlsplit(back.headers["location"]).query)["code"][0]
    with api_client(sso_server) as attacker:
        own = through_provider(attacker, a.slug)
        state = parse_qs(urlsplit(own.headers["location"]).query)["state"][0]
        r = attacker.get(f"/api/v1/auth/sso/{a.slug}/callback",
                         params={"code": stolen, "state": state})
    assert r.status_code == 400 and "invalid_grant" in r.json()["detail"]
    # And B's callback with B's state from another browser (no binding cookie): refused.
    with api_client(sso_server) as attacker:
        r = attacker.get(back.headers["location"])
    assert r.status_code == 400 and "another browser" in r.json()["detail"]


def test_reused_state_and_reused_code_are_refused(sso_server, provider):
    org = org_with_sso(sso_server, provider)
    provider.sign_in_as("sub-r", f"r@{org.domain}")
    with api_client(sso_server) as api:
        back = through_provider(api, org.slug)
        first = api.get(back.headers["location"])
        assert first.status_code == 200 and _me(api)["user"]["email"] == f"r@{org.domain}"
        again = api.get(back.headers["location"])
        assert again.status_code == 400 and "already used" in again.json()["detail"]
        code = parse_qs(urlsplit(back.headers["location"]).query)["code"][0]
        fresh = through_provider(api, org.slug)
        state = parse_qs(urlsplit(fresh.headers["location"]).query)["state"][0]
        r = api.get(f"/api/v1/auth/sso/{org.slug}/callback", params={"code": code,
                                                                       "state": state})
        assert r.status_code == 400 and "invalid_grant" in r.json()["detail"]


def test_bad_signature_wrong_nonce_and_expired_token_are_refused(sso_server, provider):
    org = org_with_sso(sso_server, provider)
    provider.sign_in_as("sub-t", f"t@{org.domain}")
    cases = [
        ({"rogue": RSAKey.generate_key(2048, parameters={"kid": provider.key.kid})},
         "signature"),
        ({"nonce": "not-the-one-sent"}, "nonce"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "(exp)"),
    ]
    for change, words in cases:
        provider.rogue_key = change.pop("rogue", None)
        provider.overrides = change
        with api_client(sso_server) as api:
            r = api.get(f"/api/v1/auth/sso/{org.slug}/start")
            assert r.status_code == 401, r.text
            assert words in r.json()["detail"]
            assert api.get("/api/v1/me").status_code == 401
    provider.rogue_key, provider.overrides = None, {}


def test_provider_rotates_its_key_and_the_new_kid_is_fetched(sso_server, provider,
                                                             monkeypatch):
    # The app (same process, uvicorn's thread) may refetch at once rather than after the
    # few seconds that keep made-up key ids from hammering a provider.
    monkeypatch.setattr("rapport.tenancy.sso.provider.REFETCH_SECONDS", 0)
    org = org_with_sso(sso_server, provider)
    provider.sign_in_as("sub-k", f"k@{org.domain}")
    with api_client(sso_server) as api:
        assert api.get(f"/api/v1/auth/sso/{org.slug}/start").status_code == 200
    provider.key = RSAKey.generate_key(2048, parameters={"kid": "rotated"})
    with api_client(sso_server) as api:
        assert api.get(f"/api/v1/auth/sso/{org.slug}/start").status_code == 200


def test_settings_hide_the_secret_and_test_connection_reports(sso_server, provider):
    org = org_with_sso(sso_server, provider)
    api, h = org.owner.api, org.owner.headers
    shown = api.get("/api/v1/auth/sso", headers=h).json()
    assert shown["client_secret"] == "set" and "s3cret" not in str(shown)
    assert shown["redirect_uri"] == f"{sso_server}/api/v1/auth/sso/{org.slug}/callback"
    tested = api.post("/api/v1/auth/sso/test", headers=h)
    assert tested.status_code == 200, tested.text
    assert tested.json()["signing_keys"] == 1
    assert tested.json()["token_endpoint"] == f"{provider.issuer}/token"
    # Leaving the secret out keeps it; null removes it.
    body = sso_settings(provider, org.client_id, org.domain)
    del body["client_secret"]
    assert api.put("/api/v1/auth/sso", headers=h, json=body).json()["client_secret"] == "set"
    body["client_secret"] = None
    assert api.put("/api/v1/auth/sso", headers=h, json=body).json()["client_secret"] == \
        "not set"
    assert api.delete("/api/v1/auth/sso", headers=h).status_code == 204
    assert api.get("/api/v1/auth/sso", headers=h).status_code == 404
    with api_client(sso_server) as anon:
        assert anon.get(f"/api/v1/auth/sso/{org.slug}/start").status_code == 404


def test_unreachable_provider_and_malformed_metadata_are_a_502(sso_server, provider):
    org = org_with_sso(sso_server, provider)
    api, h = org.owner.api, org.owner.headers
    provider.metadata_body = b"{not json"
    r = api.post("/api/v1/auth/sso/test", headers=h)
    assert r.status_code == 502 and "not JSON" in r.json()["detail"]
    provider.metadata_body = b'{"issuer": "' + provider.issuer.encode() + b'"}'
    r = api.post("/api/v1/auth/sso/test", headers=h)
    assert r.status_code == 502 and "authorization_endpoint" in r.json()["detail"]
    with running_provider() as gone:
        issuer = gone.issuer
    body = sso_settings(gone, org.client_id, org.domain)
    assert api.put("/api/v1/auth/sso", headers=h, json=body).status_code == 200
    r = api.post("/api/v1/auth/sso/test", headers=h)
    assert r.status_code == 502 and issuer in r.json()["detail"]
    assert "could not be reached" in r.json()["detail"]
    with api_client(sso_server) as anon:
        r = anon.get(f"/api/v1/auth/sso/{org.slug}/start")
    assert r.status_code == 502


def test_only_owners_and_admins_see_or_change_the_settings(sso_server, provider):
    org = org_with_sso(sso_server, provider)
    provider.sign_in_as("sub-m", f"m@{org.domain}")
    with api_client(sso_server) as member:
        member.get(f"/api/v1/auth/sso/{org.slug}/start")
        csrf = member.cookies.get("rapport_session")
        assert csrf
        assert member.get("/api/v1/auth/sso").status_code == 403
    body = sso_settings(provider, org.client_id, org.domain)
    bad = dict(body, allowed_domains=[], provisioning="everyone", default_role="owner")
    r = org.owner.api.put("/api/v1/auth/sso", headers=org.owner.headers, json=bad)
    assert r.status_code == 422


def test_require_sso_refuses_passwords_except_owners(sso_server, provider):
    org = org_with_sso(sso_server, provider, require_sso=True)
    email, password = f"pat@{org.domain}", "correct horse battery staple"
    # The admin, with a password of their own (set through the invitation), is refused.
    invite_and_accept(sso_server, org.owner, email, "admin", password)
    r = httpx.post(f"{sso_server}/api/v1/auth/login",
                   json={"tenant": org.slug, "email": email, "password": password},
                   timeout=30)
    assert r.status_code == 403, r.text
    assert f"/api/v1/auth/sso/{org.slug}/start" in r.json()["detail"]
    # The owner keeps the password (break-glass).
    r = httpx.post(f"{sso_server}/api/v1/auth/login", json={
        "tenant": org.slug, "email": org.owner.email, "password": org.owner.password},
        timeout=30)
    assert r.status_code == 200
    # The admin comes in through SSO instead.
    provider.sign_in_as("sub-pat", email)
    with api_client(sso_server) as browser:
        assert browser.get(f"/api/v1/auth/sso/{org.slug}/start").status_code == 200
        assert _me(browser)["role"] == "admin"


def test_an_sso_session_signs_out_only_of_its_own_tenant(sso_server, provider):
    """"Sign out everywhere" from a session the tenant's provider opened ends the person's
    sessions in that tenant only; their other tenants need their own proof."""
    org = org_with_sso(sso_server, provider)
    elsewhere = org_with_sso(sso_server, provider)
    # The other organization's owner is a member of org too, and signs in there by SSO.
    invite_and_accept(sso_server, org.owner, elsewhere.owner.email, "member",
                      elsewhere.owner.password)
    body = sso_settings(provider, org.client_id, elsewhere.domain)
    assert org.owner.api.put("/api/v1/auth/sso", headers=org.owner.headers,
                             json=body).status_code == 200
    provider.sign_in_as("sub-two", elsewhere.owner.email)
    with api_client(sso_server) as browser:
        assert browser.get(f"/api/v1/auth/sso/{org.slug}/start").status_code == 200
        token = browser.cookies.get("rapport_session")
    sso_headers = {"Authorization": f"Bearer {token}"}
    r = httpx.delete(f"{sso_server}/api/v1/auth/sessions", headers=sso_headers, timeout=30)
    assert r.status_code == 204
    r = httpx.get(f"{sso_server}/api/v1/me", headers=sso_headers, timeout=30)
    assert r.status_code == 401
    # Their session in their own organization is untouched.
    assert elsewhere.owner.api.get("/api/v1/me",
                                   headers=elsewhere.owner.headers).status_code == 200


def test_start_and_callback_refuse_unknown_organizations_and_bad_answers(sso_server):
    with api_client(sso_server) as api:
        assert api.get(f"/api/v1/auth/sso/{unique('none')}/start").status_code == 404
        assert api.get(f"/api/v1/auth/sso/{unique('none')}/callback",
                       params={"code": "x", "state": "y"}).status_code == 404
    with browser_client(sso_server) as browser:
        r = browser.get(f"/api/v1/auth/sso/{unique('none')}/start")
        assert urlsplit(str(r.url)).path == "/sign-in"


def test_the_sign_in_page_offers_sso_only_where_it_is_set_up(sso_server, provider):
    org = org_with_sso(sso_server, provider)
    plain = org_with_sso(sso_server, provider)
    assert plain.owner.api.delete("/api/v1/auth/sso",
                                  headers=plain.owner.headers).status_code == 204
    with browser_client(sso_server) as browser:
        page = browser.get("/sign-in", params={"org": org.slug, "next": "/contacts"}).text
        assert "Sign in with Acme Login" in page
        assert f"/api/v1/auth/sso/{org.slug}/start?next_path=%2Fcontacts" in page
        page = browser.get("/sign-in", params={"org": plain.slug}).text
        assert 'id="sso-none"' in page and "Sign in with" not in page
        # Typed or remembered for a password, an organization without SSO says nothing.
        page = browser.get("/sign-in", params={"tenant": plain.slug}).text
        assert 'id="sso-none"' not in page and 'id="sso-find"' in page
        page = browser.get("/sign-in", params={"org": org.slug, "sso_error": "domain"}).text
        assert "not in a domain this organization allows" in page
        # next_path is kept for the landing after the provider.
        provider.sign_in_as("sub-n", f"n@{org.domain}")
        r = browser.get(f"/api/v1/auth/sso/{org.slug}/start",
                        params={"next_path": "/contacts"})
        assert urlsplit(str(r.url)).path == "/contacts"
        r = browser.get(f"/api/v1/auth/sso/{org.slug}/start",
                        params={"next_path": "//evil.example/"})
        assert str(r.url) == f"{sso_server}/"


def test_a_removed_member_cannot_come_back_through_the_provider(sso_server, provider):
    """Removal deletes the identity with the membership; the person's account is global and
    stays, so just-in-time provisioning does not re-create them: they are refused."""
    org = org_with_sso(sso_server, provider)
    provider.sign_in_as("sub-gone", f"gone@{org.domain}")
    with api_client(sso_server) as api:
        assert api.get(f"/api/v1/auth/sso/{org.slug}/start").status_code == 200
        member_id = _me(api)["user"]["id"]
    members = org.owner.api.get("/api/v1/members", headers=org.owner.headers).json()["items"]
    [gone] = [m for m in members if m["email"] == f"gone@{org.domain}"]
    assert org.owner.api.delete(f"/api/v1/members/{gone['id']}",
                                headers=org.owner.headers).status_code == 204
    with api_client(sso_server) as api:
        r = api.get(f"/api/v1/auth/sso/{org.slug}/start")
    assert r.status_code == 403 and r.json()["reason"] == "not_member", r.text
    assert member_id


def test_the_providers_own_refusal_is_a_400_and_uses_the_state_up(sso_server, provider):
    org = org_with_sso(sso_server, provider)
    with api_client(sso_server) as api:
        back = through_provider(api, org.slug)
        state = parse_qs(urlsplit(back.headers["location"]).query)["state"][0]
        r = api.get(f"/api/v1/auth/sso/{org.slug}/callback",
                    params={"state": state, "error": "access_denied"})
        assert r.status_code == 400 and "access_denied" in r.json()["detail"]
        r = api.get(back.headers["location"])  # the state is spent
        assert r.status_code == 400 and "already used" in r.json()["detail"]


def test_a_refused_password_under_require_sso_is_in_the_sign_in_log(sso_server, provider):
    org = org_with_sso(sso_server, provider, require_sso=True)
    email, password = f"lee@{org.domain}", "correct horse battery staple"
    invite_and_accept(sso_server, org.owner, email, "member", password)
    r = httpx.post(f"{sso_server}/api/v1/auth/login",
                   json={"tenant": org.slug, "email": email, "password": password},
                   timeout=30)
    assert r.status_code == 403 and r.json()["sso_start"] == \
        f"/api/v1/auth/sso/{org.slug}/start"
    r = org.owner.api.get("/api/v1/audit", params={"record_type": "sign_in"},
                          headers=org.owner.headers)
    refused = [e["detail"] for e in r.json()["items"]
               if e["detail"].get("reason") == "single sign-on required"]
    assert refused and refused[0]["method"] == "password"
