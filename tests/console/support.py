"""Helpers for console tests: a person's browser session as plain HTTP (cookies, the form
token of the public pages, the CSRF token of the signed-in pages)."""

from __future__ import annotations

import re

from litestar.testing import TestClient

from tests.conftest import TenantHandle

_HIDDEN = re.compile(r'name="_csrf" value="([^"]*)"')


def form_token(client: TestClient, path: str = "/sign-in") -> str:
    """Open a page with a form; the token its form carries (the cookie is kept)."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = _HIDDEN.search(page.text)
    assert found, "no _csrf field on " + path
    return found.group(1)


def sign_in(client: TestClient, t: TenantHandle, *, email: str | None = None,
            password: str | None = None) -> str:
    """Sign in through the console's form; the CSRF token of the signed-in pages."""
    token = form_token(client)
    r = client.post("/sign-in", data={
        "_csrf": token, "tenant": t.slug, "email": email or t.owner_email,
        "password": password or t.owner_password, "next": "/",
    }, follow_redirects=False)
    assert r.status_code == 303, r.text
    home = client.get("/")
    assert home.status_code == 200, home.text
    found = _HIDDEN.search(home.text)
    assert found
    return found.group(1)
