"""What the SSO tests share: the app behind uvicorn on loopback with its base URL set to
where it listens (the redirect URI the provider sends people back to), a provider, and an
organization with SSO set up against it."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from rapport.app import create_app
from tests import mailbox
from tests.browser import Owner, sign_up_over_http
from tests.conftest import make_settings, unique
from tests.tenancy.oidc_provider import Provider, running_provider


@pytest.fixture(scope="module")
def sso_server(database) -> Iterator[str]:
    """The app on a free loopback port whose ``base_url`` is that address."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{listening.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(
        create_app(make_settings(base_url=base), database.app_url), log_level="warning",
        lifespan="on"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[listening])),
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listening.close()


@pytest.fixture
def provider() -> Iterator[Provider]:
    with running_provider() as found:
        yield found


@dataclass
class SsoOrg:
    owner: Owner
    client_id: str
    domain: str

    @property
    def slug(self) -> str:
        return self.owner.slug


def sso_settings(provider: Provider, client_id: str, domain: str, **extra: object) -> dict:
    return {"issuer": provider.issuer, "client_id": client_id, "client_secret": "s3cret-" +
            client_id, "display_name": "Acme Login", "allowed_domains": [domain],
            "provisioning": "jit", "default_role": "member", **extra}


def org_with_sso(base: str, provider: Provider, **extra: object) -> SsoOrg:
    """A new organization whose SSO points at ``provider`` (a client registered there for
    it, with the redirect URI the settings name)."""
    owner = sign_up_over_http(base, "sso", "Acme SSO", "Olena Owner")
    client_id = unique("rapport")
    domain = f"{owner.slug}.example.com"
    r = owner.api.put("/api/v1/auth/sso", headers=owner.headers,
                      json=sso_settings(provider, client_id, domain, **extra))
    assert r.status_code == 200, r.text
    provider.register(client_id, "s3cret-" + client_id, r.json()["redirect_uri"])
    return SsoOrg(owner, client_id, domain)


def browser_client(base: str) -> httpx.Client:
    """A client that follows redirects and keeps cookies as a browser does."""
    return httpx.Client(base_url=base, follow_redirects=True, timeout=30,
                        headers={"Accept": "text/html,application/xhtml+xml"})


def api_client(base: str) -> httpx.Client:
    """A client that follows redirects but asks for JSON: refusals stay problem documents."""
    return httpx.Client(base_url=base, follow_redirects=True, timeout=30,
                        headers={"Accept": "application/json"})


def through_provider(client: httpx.Client, slug: str) -> httpx.Response:
    """Start at the app and stop at the provider's redirect back (the callback unvisited):
    the callback URL, with its code and state, is in the answer's Location."""
    r = client.get(f"/api/v1/auth/sso/{slug}/start", follow_redirects=False)
    assert r.status_code == 302, r.text
    back = httpx.get(r.headers["location"], follow_redirects=False, timeout=30)
    assert back.status_code == 302, back.text
    return back


def invite_and_accept(base: str, owner: Owner, email: str, role: str, password: str) -> None:
    """``owner`` invites ``email``; the person follows the letter's link and accepts with
    ``password`` (their first one, or the one they already have)."""
    before = len(mailbox.MAILBOX.sent_to(email))
    r = owner.api.post("/api/v1/members", headers=owner.headers,
                       json={"email": email, "role": role})
    assert r.status_code == 201, r.text
    letter = mailbox.MAILBOX.wait_for(email, count=before + 1)
    r = httpx.post(f"{base}/api/v1/invitations/accept",
                   json={"tenant": owner.slug, "token": letter.token, "password": password},
                   timeout=30)
    assert r.status_code == 200, r.text
