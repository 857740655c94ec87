"""Webhook screens in a real headless Chromium: an owner adds an endpoint from Webhooks (a
loopback URL refused beside its field, then allowed by the operator's setting), reads the
secret shown once, sees a delivery with its attempt after the worker's pass, switches the
endpoint off; the pages in Ukrainian; axe finds nothing serious."""

from __future__ import annotations

import hashlib
import hmac

import httpx
import pytest

from rapport.core.webhooks.targets import ALLOW_PRIVATE
from tests.browser import assert_accessible, console_shot, sign_in_page
from tests.conftest import unique
from tests.core.webhooks import receiver


def test_add_an_endpoint_and_watch_its_deliveries(tab, live_server, client,
                                                   monkeypatch: pytest.MonkeyPatch):
    page = tab.page
    slug = unique("hook")
    email, password = f"owner@{slug}.example.com", "correct horse battery staple"
    api = httpx.Client(base_url=live_server)
    r = api.post("/api/v1/signup", json={
        "organization": {"name": "Hooks", "slug": slug},
        "admin": {"email": email, "password": password, "full_name": "Oksana Hook"}})
    assert r.status_code == 201, r.text
    tenant_id = r.json()["tenant"]["id"] if "tenant" in r.json() else None
    token = api.post("/api/v1/auth/login", json={"tenant": slug, "email": email,
                                                 "password": password}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    tenant_id = tenant_id or api.get("/api/v1/me", headers=headers).json()["tenant"]["id"]

    sign_in_page(page, live_server, slug, email, password)

    with receiver.running() as rx:
        page.click("nav >> text=Webhooks")
        page.wait_for_url("**/settings/webhooks")
        page.fill("#f-url", rx.url)
        page.check("input[name=events][value='contact.created']")
        page.click("#webhook-form button[type=submit]")
        page.wait_for_selector("#webhook-form .error >> text=loopback")
        monkeypatch.setenv(ALLOW_PRIVATE, "1")
        page.click("#webhook-form button[type=submit]")
        secret = page.locator("#webhook-secret").inner_text().strip()
        assert secret.startswith("whsec_")
        assert_accessible(page, "webhooks")

        r = api.post("/api/v1/contacts", headers=headers,
                     json={"given_name": "Taras", "family_name": "Melnyk"})
        assert r.status_code == 201, r.text
        assert receiver.worker_pass(client, tenant_id) == 1
        sent, body = rx.received[0]
        expected = hmac.new(secret.encode(), sent["X-Rapport-Timestamp"].encode() + b"." + body,
                            hashlib.sha256).hexdigest()
        assert sent["X-Rapport-Signature"] == "v1=" + expected

    page.click(f"#webhook-rows >> text={rx.url}")
    page.wait_for_selector("#webhook-deliveries >> text=contact.created")
    assert "delivered" in page.locator("#webhook-deliveries").inner_text()
    assert "200" in page.locator("#webhook-deliveries").inner_text()
    console_shot(tab, "webhook-deliveries")
    assert_accessible(page, "webhook endpoint")

    page.set_extra_http_headers({"Accept-Language": "uk"})
    page.reload()
    page.wait_for_selector("#webhook-deliveries >> text=доставлено")
    page.click("text=Вимкнути")
    page.wait_for_selector("#webhook-disabled >> text=Вимкнено")
    [hook] = api.get("/api/v1/webhooks", headers=headers).json()["items"]
    assert hook["active"] is False
