"""Two-factor sign-in in a real headless Chromium: the owner sets up an authenticator on
Account → Security (the key read off the page, real codes computed with pyotp), keeps the
recovery codes, signs in again through the second step — a wrong code refused beside the
field, then a recovery code — and requires it of owners and admins on Settings → Sign-in
security, in Ukrainian; an admin without an authenticator then sets one up inside the
sign-in (in Russian) and lands signed in. axe finds nothing serious."""

from __future__ import annotations

import time

import pyotp

from tests.browser import assert_accessible, console_shot, sign_up_over_http
from tests.conftest import add_member, unique


def _code_after(secret: str, used: set[str]) -> str:
    """A code of a step not used yet (a code is accepted once per step, by design)."""
    totp = pyotp.TOTP(secret)
    while totp.now() in used:
        time.sleep(0.5)
    code = totp.now()
    used.add(code)
    return code


def _sign_in(page, live_server, slug, email, password):
    page.goto(f"{live_server}/sign-in?tenant={slug}")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("button[type=submit].primary")


def test_set_up_sign_in_with_codes_and_require_it(tab, live_server, client):
    page = tab.page
    owner = sign_up_over_http(live_server, "tfa", "Two Factor Dental", "Olena Shevchenko")
    _sign_in(page, live_server, owner.slug, owner.email, owner.password)
    page.wait_for_url(live_server + "/")

    # Account → Security: set it up, reading the key off the page.
    page.goto(f"{live_server}/account/security")
    page.click("text=Set up two-factor sign-in")
    page.wait_for_selector("img.qr")
    secret = page.locator("#totp-key").inner_text().strip()
    assert len(secret) >= 16
    assert page.locator("img.qr").get_attribute("src").startswith("data:image/svg+xml")
    assert_accessible(page, "two-factor set-up")
    console_shot(tab, "two-factor-setup")
    used: set[str] = set()
    page.fill("#f-code", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.click("button[type=submit].primary")
    page.wait_for_selector("#f-code-error")
    assert page.locator("#totp-key").inner_text().strip() == secret  # the same set-up again
    page.fill("#f-code", _code_after(secret, used))
    page.click("button[type=submit].primary")
    page.wait_for_selector("#recovery-codes")
    codes = [c.strip() for c in page.locator("#recovery-codes code").all_inner_texts()]
    assert len(codes) == 10
    download = page.locator("a[download]").get_attribute("href")
    assert download.startswith("data:text/plain") and codes[0] in download
    assert_accessible(page, "recovery codes")
    console_shot(tab, "two-factor-recovery-codes")
    assert owner.api.get("/api/v1/me/2fa", headers=owner.headers).json()["enabled"] is True

    # Sign out, then in again: the second step asks for a code.
    page.goto(f"{live_server}/account/security")
    assert page.locator("text=Recovery codes left: 10").count() == 1
    page.context.clear_cookies()
    _sign_in(page, live_server, owner.slug, owner.email, owner.password)
    page.wait_for_selector("form[action='/sign-in/second-step']")
    assert_accessible(page, "second step")
    console_shot(tab, "two-factor-second-step")
    page.fill("#f-code", "123456" if pyotp.TOTP(secret).now() != "123456" else "654321")
    page.click("button[type=submit].primary")
    page.wait_for_selector("#f-code-error")
    # Then a recovery code instead.
    page.click("summary")
    page.fill("#f-recovery_code", codes[0])
    page.click("button[type=submit].primary")
    page.wait_for_url(live_server + "/")

    # Settings → Sign-in security, in Ukrainian: owners and admins must have it.
    page.set_extra_http_headers({"Accept-Language": "uk"})
    page.goto(f"{live_server}/settings/security")
    assert page.locator("h2#h-policy").inner_text() == "Двофакторний вхід"
    page.check("input[name=require_2fa][value=admins]")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/settings/security?saved=1")
    assert page.locator("input[name=require_2fa][value=admins]").is_checked()
    assert_accessible(page, "sign-in security")
    console_shot(tab, "two-factor-policy")
    policy = owner.api.get("/api/v1/auth/policy", headers=owner.headers).json()
    assert policy["require_2fa"] == "admins"

    # An admin with no authenticator signs in (in Russian): set it up inside the sign-in.
    admin_email = f"admin-{unique()}@{owner.slug}.example.com"
    add_member(client, _Handle(owner), admin_email, role="admin", password="admin password 1")
    page.context.clear_cookies()
    page.set_extra_http_headers({"Accept-Language": "ru"})
    _sign_in(page, live_server, owner.slug, admin_email, "admin password 1")
    page.wait_for_selector("img.qr")
    assert "Настроить двухфакторный вход" in page.locator("h2#h-step").inner_text()
    admin_secret = page.locator("#totp-key").inner_text().strip()
    page.fill("#f-code", pyotp.TOTP(admin_secret).now())
    page.click("button[type=submit].primary")
    page.wait_for_selector("#recovery-codes")
    assert len(page.locator("#recovery-codes code").all_inner_texts()) == 10
    assert_accessible(page, "recovery codes after the sign-in's set-up")
    page.click("a.primary")
    page.wait_for_url(live_server + "/")
    assert not tab.csp_violations()


class _Handle:
    """What tests.conftest.add_member needs of a tenant: its slug and an owner's header."""

    def __init__(self, owner) -> None:
        self.slug = owner.slug
        self.headers = owner.headers
