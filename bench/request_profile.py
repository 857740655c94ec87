"""The shared request path in-process, by deterministic measures: Python function calls
per request (``cProfile`` over the whole ASGI app) and statements per request, plus the
process's CPU per request — the figures that stay steady when the machine is shared and
HTTP throughput ratios are noise.

The app is the real one (``rapport.app.create_app``) against a private embedded
PostgreSQL, seeded like ``bench.request_path`` (a tenant, contacts with emails, phones,
tags and an owner; the probed contact with an organization, deals, tasks and
interactions). Requests are sent straight to the ASGI callable (no HTTP client in the
profile), so the counts are the app's own. The baseline for the CPU column is
``bench.baseline_app``'s handler path in the same process: the same JWT check and the
same SQL over a raw psycopg connection.

    python -m bench.request_profile                 # calls, statements, CPU per request
    python -m bench.request_profile --top 25        # and the top functions by call count
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import secrets
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import event

from bench.common import bench_database
from rapport.app import create_app
from rapport.settings import Settings

PASSWORD = "correct horse battery staple"  # noqa: S105 - a bench tenant's


async def _api(client: AsyncTestClient[Any], method: str, path: str, **kw: Any) -> Any:
    r = await client.request(method, path, **kw)
    if r.status_code >= 300:
        raise RuntimeError(f"{method} {path}: {r.status_code} {r.text}")
    return r.json() if r.content else None


async def seed(client: AsyncTestClient[Any], contacts: int) -> tuple[str, str]:
    """The tenant of ``bench.request_path.seed``, through the API: (token, probed id)."""
    slug = "bench-" + os.urandom(3).hex()
    email = f"owner@{slug}.example.com"
    await _api(client, "POST", "/api/v1/signup", json={
        "organization": {"name": "Bench Org", "slug": slug},
        "admin": {"email": email, "password": PASSWORD, "full_name": "Olena Owner"}})
    token = (await _api(client, "POST", "/api/v1/auth/login", json={
        "tenant": slug, "email": email, "password": PASSWORD}))["access_token"]
    client.cookies.clear()
    h = {"Authorization": f"Bearer {token}"}
    me = await _api(client, "GET", "/api/v1/me", headers=h)
    ids = []
    for i in range(contacts):
        ids.append((await _api(client, "POST", "/api/v1/contacts", headers=h, json={
            "given_name": f"Given{i}", "family_name": f"Family{i}",
            "emails": [{"address": f"p{i}@example.com", "primary": True},
                       {"address": f"p{i}@work.example.com"}],
            "phones": [{"number": f"+38044{i:07d}"}],
            "tags": ["vip", f"t{i % 7}"], "owner_id": me["user"]["id"],
        }))["id"])
    probe = ids[len(ids) // 2]
    org = await _api(client, "POST", "/api/v1/organizations", headers=h,
                     json={"name": "Kyiv Works"})
    await _api(client, "POST", f"/api/v1/contacts/{probe}/organizations", headers=h,
               json={"organization_id": org["id"], "role": "buyer"})
    for n in range(2):
        await _api(client, "POST", "/api/v1/deals", headers=h, json={
            "title": f"Deal {n}", "amount": "1500.5", "currency": "EUR", "contact_id": probe})
        await _api(client, "POST", "/api/v1/tasks", headers=h,
                   json={"title": f"Call back {n}", "contact_id": probe})
    for n in range(3):
        await _api(client, "POST", "/api/v1/interactions", headers=h, json={
            "contact_id": probe, "kind": "call", "subject": f"Call {n}"})
    return token, probe


def asgi_get(app: Litestar, path: str, token: str) -> Callable[[], Awaitable[int]]:
    """One GET straight into the ASGI app; answers the status (200 asserted by callers)."""
    raw_path, _, query = path.partition("?")
    headers = [(b"host", b"testserver"), (b"authorization", f"Bearer {token}".encode()),
               (b"accept", b"application/json")]

    async def call() -> int:
        scope = {
            "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": raw_path, "raw_path": raw_path.encode(), "root_path": "",
            "query_string": query.encode(), "headers": headers,
            "client": ("127.0.0.1", 50000), "server": ("testserver", 80), "state": {},
        }
        status = 0

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(scope, receive, send)  # type: ignore[arg-type]
        return status

    return call


async def measure(app: Litestar, paths: dict[str, str], token: str, args: argparse.Namespace
                  ) -> None:
    engine = app.state.engine.sync_engine
    sent = [0]

    def count(*_: Any) -> None:
        sent[0] += 1

    rows = []
    for name, path in paths.items():
        call = asgi_get(app, path, token)
        for _ in range(20):
            assert await call() == 200, name
        for what in ("before_cursor_execute", "begin", "commit", "rollback"):
            event.listen(engine, what, count)
        sent[0] = 0
        assert await call() == 200
        statements = sent[0]
        for what in ("before_cursor_execute", "begin", "commit", "rollback"):
            event.remove(engine, what, count)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.profiled):
            await call()
        profile.disable()
        stats = pstats.Stats(profile)
        if args.dump:
            stem = name.split()[1].strip("/").replace("/", "_")
            stats.dump_stats(Path(args.dump) / f"{stem}.prof")
        calls = stats.total_calls / args.profiled  # type: ignore[attr-defined]
        best = float("inf")
        for _ in range(args.repeats):
            start = time.process_time()
            for _ in range(args.timed):
                await call()
            best = min(best, (time.process_time() - start) / args.timed)
        rows.append((name, calls, statements, best * 1000))
        if args.top:
            print(f"\n## {name}: the top functions by {args.sort}, over {args.profiled} requests")
            stats.sort_stats(args.sort).print_stats(args.top)
    print("\n| request | Python calls | statements | CPU per request (best of "
          f"{args.repeats} x {args.timed}) |")
    print("| --- | ---: | ---: | ---: |")
    for name, calls, statements, cpu in rows:
        print(f"| `{name}` | {calls:,.0f} | {statements} | {cpu:.2f} ms |")


async def run(args: argparse.Namespace) -> None:
    with bench_database("rapport_profile") as db, tempfile.TemporaryDirectory() as data:
        settings = Settings(secret_key=secrets.token_urlsafe(48), base_url="http://testserver",
                            log_json=True, login_slowdown_seconds=0.01, data_dir=Path(data))
        app = create_app(settings, db.app_url)
        async with AsyncTestClient(app=app) as client:
            token, probe = await seed(client, args.contacts)
            paths = {
                "GET /api/v1/me": "/api/v1/me",
                "GET /api/v1/contacts/{id}": f"/api/v1/contacts/{probe}",
                "GET /api/v1/contacts?limit=50": "/api/v1/contacts?limit=50",
            }
            await measure(app, paths, token, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=120)
    parser.add_argument("--profiled", type=int, default=50)
    parser.add_argument("--timed", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--dump", help="a folder to write each request's profile to")
    parser.add_argument("--sort", default="ncalls", choices=("ncalls", "tottime", "cumtime"))
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
