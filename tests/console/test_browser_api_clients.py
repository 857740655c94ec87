"""API clients and recent sign-ins in a real headless Chromium: the owner, after one wrong
password, finds both attempts under Account → Security → Recent sign-ins (in English,
Ukrainian and Russian); on Settings → API clients (in Russian, then English) creates a client with a
scope ticked, copies the secret shown once, gets a token with it over HTTP, rotates it (the
old secret stops) and revokes the client. axe finds nothing serious."""

from __future__ import annotations

import base64

from tests.browser import assert_accessible, console_shot, sign_up_over_http


def _sign_in(page, live_server, slug, email, password):
    page.goto(f"{live_server}/sign-in?tenant={slug}")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("button[type=submit].primary")


def _token(api, client_id, secret):
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return api.post("/api/v1/oauth/token", data={"grant_type": "client_credentials"},
                    headers={"Authorization": f"Basic {raw}"})


def test_recent_sign_ins_on_the_security_page(tab, live_server):
    page = tab.page
    owner = sign_up_over_http(live_server, "signins", "Sign-in Bakery", "Iryna Koval")
    _sign_in(page, live_server, owner.slug, owner.email, "not my password at all")
    page.wait_for_selector(".error")
    _sign_in(page, live_server, owner.slug, owner.email, owner.password)
    page.wait_for_url(live_server + "/")
    page.goto(f"{live_server}/account/security")
    section = page.locator("#recent-sign-ins")
    section.wait_for()
    text = section.inner_text()
    assert "Recent sign-ins" in text
    assert "refused" in text and "signed in" in text
    assert "HeadlessChrome" in text  # the browser's user agent, as recorded
    rows = section.locator("tbody tr")
    assert rows.count() == 3  # the API sign-up's login, the refusal, this sign-in
    assert "signed in" in rows.nth(0).inner_text()
    assert "refused" in rows.nth(1).inner_text()
    assert_accessible(page, "recent sign-ins")
    console_shot(tab, "recent-sign-ins")

    page.set_extra_http_headers({"Accept-Language": "uk"})
    page.reload()
    uk = page.locator("#recent-sign-ins").inner_text()
    assert "Останні входи" in uk and "відхилено" in uk and "вхід виконано" in uk

    page.set_extra_http_headers({"Accept-Language": "ru"})
    page.reload()
    ru = page.locator("#recent-sign-ins").inner_text()
    assert "Последние входы" in ru and "отклонено" in ru and "вход выполнен" in ru


def test_create_copy_rotate_and_revoke_an_api_client(tab, live_server):
    page = tab.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"],
                                   origin=live_server)
    owner = sign_up_over_http(live_server, "apicl", "Client Dairy", "Petro Bondar")
    api = owner.api
    _sign_in(page, live_server, owner.slug, owner.email, owner.password)
    page.wait_for_url(live_server + "/")

    page.set_extra_http_headers({"Accept-Language": "ru"})
    page.goto(f"{live_server}/settings/members")
    page.click("nav.subnav >> text=API-клиенты")
    page.wait_for_url("**/settings/api-clients")
    assert "API-клиентов пока нет." in page.inner_text("main")
    page.click("#api-client-form button[type=submit]")  # no name
    page.wait_for_selector("#api-client-form .error")
    page.fill("#f-name", "Склад")
    page.check("input[name=scopes][value='contacts:read']")
    assert page.locator("fieldset.scope-area legend >> text=retail").count() == 1
    page.click("#api-client-form button[type=submit]")
    page.wait_for_selector("#api-client-secret")
    assert "больше он не будет показан" in page.inner_text("#api-client-secret")
    assert_accessible(page, "API client created")
    console_shot(tab, "api-client-created")

    secret = page.locator("#api-client-secret-value").inner_text().strip()
    client_id = page.locator("#api-client-id").inner_text().strip()
    assert secret.startswith("rpc_")
    page.click("#api-client-secret button[data-copy]")
    page.wait_for_selector("#api-client-copied >> text=Скопировано")
    assert page.evaluate("navigator.clipboard.readText()") == secret

    r = _token(api, client_id, secret)
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "contacts:read"
    bearer = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert api.get("/api/v1/contacts", headers=bearer).status_code == 200

    # The secret is not on the page any more once it is reloaded.
    page.set_extra_http_headers({"Accept-Language": "en"})
    page.goto(f"{live_server}/settings/api-clients")
    assert secret not in page.content()
    assert "contacts:read" in page.inner_text("#api-client-rows")
    page.click("#api-client-rows >> button:has-text('New secret')")
    page.wait_for_selector("#api-client-secret >> text=no longer work")
    rotated = page.locator("#api-client-secret-value").inner_text().strip()
    assert rotated != secret
    assert api.get("/api/v1/contacts", headers=bearer).status_code == 401
    assert _token(api, client_id, secret).status_code == 401
    assert _token(api, client_id, rotated).status_code == 200

    page.click("#api-client-rows >> button:has-text('Revoke')")
    page.wait_for_selector("#api-client-rows >> text=revoked")
    assert _token(api, client_id, rotated).status_code == 401
    [listed] = api.get("/api/v1/api-clients", headers=owner.headers).json()["items"]
    assert listed["revoked_at"] is not None and listed["name"] == "Склад"
    assert_accessible(page, "API clients")
