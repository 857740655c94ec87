"""What the vertical benches (retail, dealership, education) share: API calls through the
in-process app that fail loudly, a fresh tenant with one module on, and a timer."""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from litestar.testing import AsyncTestClient


async def api(client: AsyncTestClient[Any], method: str, path: str, **kw: Any) -> Any:
    """One API call; anything but a success stops the bench with the server's answer."""
    r = await client.request(method, path, **kw)
    if r.status_code >= 300:
        raise RuntimeError(f"{method} {path}: {r.status_code} {r.text}")
    return r.json() if r.content else None


async def tenant_with_module(
    client: AsyncTestClient[Any], organization: str, module: str,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Sign up a new organization, log its owner in and turn ``module`` on: the sign-up
    answer and the owner's bearer headers."""
    slug = "bench-" + secrets.token_hex(4)
    email, password = f"owner@{slug}.example.com", "bench password " + secrets.token_hex(8)
    signed = await api(client, "POST", "/api/v1/signup", json={
        "organization": {"name": organization, "slug": slug},
        "admin": {"email": email, "password": password, "full_name": "Olena Owner"}})
    token = await api(client, "POST", "/api/v1/auth/login",
                      json={"tenant": slug, "email": email, "password": password})
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    await api(client, "PUT", f"/api/v1/modules/{module}", headers=headers)
    return signed, headers


async def timed_ms(fn: Callable[[], Awaitable[Any]]) -> float:
    start = time.perf_counter()
    await fn()
    return (time.perf_counter() - start) * 1000
