"""Single sign-on in a real headless Chromium against the loopback provider: the owner sets
it up in Settings → Single sign-on (test connection shows what the provider answered, and
what fails when it does not), then a new person follows a ``/sign-in?org=`` link, presses
"Sign in with Acme Login" and lands in the console signed in; a refused stranger reads why;
the screens in Ukrainian and Russian; axe finds nothing serious."""

# ruff: noqa: RUF001 (the Ukrainian words on the page)
from __future__ import annotations

from tests.browser import assert_accessible, console_shot, sign_up_over_http
from tests.tenancy.oidc_provider import running_provider
from tests.tenancy.sso_support import invite_and_accept, org_with_sso, provider, sso_server

__all__ = ["provider", "sso_server"]  # fixtures


def test_owner_sets_up_sso_and_a_person_signs_in_with_it(tab, sso_server, provider):
    page = tab.page
    owner = sign_up_over_http(sso_server, "ssoui", "Acme", "Olena Owner")
    domain = f"{owner.slug}.example.com"
    page.goto(f"{sso_server}/sign-in?tenant={owner.slug}")
    page.fill("#f-email", owner.email)
    page.fill("#f-password", owner.password)
    page.click("form[action='/sign-in'][method=post] button[type=submit]")
    page.wait_for_url(sso_server + "/")

    page.click("nav >> text=Single sign-on")
    page.wait_for_url("**/settings/sso")
    redirect_uri = page.locator("#sso-redirect-uri").inner_text().strip()
    assert redirect_uri == f"{sso_server}/api/v1/auth/sso/{owner.slug}/callback"
    provider.register("console-client", "console-secret", redirect_uri)
    page.fill("#f-display_name", "Acme Login")
    page.fill("#f-issuer", provider.issuer)
    page.fill("#f-client_id", "console-client")
    page.fill("#f-client_secret", "console-secret")
    page.fill("#f-allowed_domains", "not a domain")
    page.check("input[name=provisioning][value=jit]")
    page.click("#sso-form button[type=submit]")
    page.wait_for_selector("#f-allowed_domains[aria-invalid=true]")
    page.fill("#f-allowed_domains", domain.upper())  # typed in capitals: still the domain
    page.fill("#f-client_secret", "console-secret")
    page.click("#sso-form button[type=submit]")
    page.wait_for_url("**/settings/sso?saved=1")
    shown = owner.api.get("/api/v1/auth/sso", headers=owner.headers).json()
    assert shown["allowed_domains"] == [domain] and shown["client_secret"] == "set"
    assert shown["provisioning"] == "jit" and shown["display_name"] == "Acme Login"

    page.click("#sso-test")
    page.wait_for_selector("#sso-test-result >> text=1")
    assert f"{provider.issuer}/token" in page.locator("#sso-test-result").inner_text()
    console_shot(tab, "sso-settings")
    assert_accessible(page, "sso settings")

    # A provider that no longer answers: the words of the 502, on the page.
    with running_provider() as gone:
        gone_issuer = gone.issuer
    page.fill("#f-issuer", gone_issuer)
    page.click("#sso-form button[type=submit]")
    page.wait_for_url("**/settings/sso?saved=1")
    page.set_extra_http_headers({"Accept-Language": "uk"})
    page.reload()
    page.click("#sso-test")
    page.wait_for_selector("#sso-test-result >> text=З’єднання не вдалося")
    assert "could not be reached" in page.locator("#sso-test-result").inner_text()
    assert_accessible(page, "sso settings, uk")
    page.fill("#f-issuer", provider.issuer)
    page.click("#sso-form button[type=submit]")
    page.wait_for_url("**/settings/sso?saved=1")

    # A new person, on this device once the owner's cookies are gone, follows the
    # organization's sign-in link.
    page.context.clear_cookies()
    page.set_extra_http_headers({"Accept-Language": "en"})
    provider.sign_in_as("sub-iryna", f"iryna@{domain}", name="Iryna Koval")
    page.goto(f"{sso_server}/sign-in?org={owner.slug}")
    console_shot(tab, "sso-sign-in")
    assert_accessible(page, "sign-in with sso")
    page.click("#sso-start >> text=Sign in with Acme Login")
    page.wait_for_url(sso_server + "/")
    assert "Iryna Koval" in page.content()
    me = page.request.get(f"{sso_server}/api/v1/me").json()
    assert me["user"]["email"] == f"iryna@{domain}" and me["role"] == "member"

    # A stranger with an account elsewhere is refused, and told why.
    stranger = sign_up_over_http(sso_server, "ssox", "Elsewhere", "Stefan Stranger")
    r = owner.api.put("/api/v1/auth/sso", headers=owner.headers, json={
        **{k: shown[k] for k in ("issuer", "client_id", "display_name", "provisioning",
                                 "default_role", "require_sso")},
        "allowed_domains": [domain, stranger.email.split("@")[1]]})
    assert r.status_code == 200, r.text
    provider.sign_in_as("sub-stefan", stranger.email)
    page.context.clear_cookies()
    page.set_extra_http_headers({"Accept-Language": "ru"})
    page.goto(f"{sso_server}/sign-in?org={owner.slug}")
    page.click("#sso-start")
    page.wait_for_selector("#sso-error >> text=не участник этой организации")
    console_shot(tab, "sso-refused")
    assert_accessible(page, "sso refusal, ru")


def test_password_sign_in_to_an_sso_only_organization_points_to_sso(tab, sso_server,
                                                                     provider):
    """Require SSO: an admin's password is refused on the console's sign-in page, which
    offers the organization's provider instead; the owner's password still works."""
    page = tab.page
    org = org_with_sso(sso_server, provider, require_sso=True)
    email, password = f"pat@{org.domain}", "correct horse battery staple"
    invite_and_accept(sso_server, org.owner, email, "admin", password)
    page.set_extra_http_headers({"Accept-Language": "uk"})
    page.goto(f"{sso_server}/sign-in?tenant={org.slug}")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("form[action='/sign-in'][method=post] button[type=submit]")
    page.wait_for_selector("#sso-error >> text=вимагає єдиного входу")
    assert page.locator("#sso-start").inner_text().strip() == "Увійти через Acme Login"
    assert_accessible(page, "sso required, uk")
    provider.sign_in_as("sub-pat", email)
    page.click("#sso-start")
    page.wait_for_url(sso_server + "/")
    assert page.request.get(f"{sso_server}/api/v1/me").json()["role"] == "admin"

    page.context.clear_cookies()
    page.goto(f"{sso_server}/sign-in?tenant={org.slug}")
    page.fill("#f-email", org.owner.email)
    page.fill("#f-password", org.owner.password)
    page.click("form[action='/sign-in'][method=post] button[type=submit]")
    page.wait_for_url(sso_server + "/")
