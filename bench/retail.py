"""The till's card scan (``GET /api/v1/retail/till/cards/{number}``) on a large tenant and
on a small one, through the ASGI app, against the same statements run directly with
psycopg (the one statement of ``plugins/retail/scan.py``), in one run.

A private embedded PostgreSQL is started and deleted afterwards. Each tenant, its program
and the scanned member are made through the API; the other members, their cards and
ledger entries are bulk-loaded with ``INSERT … SELECT generate_series`` as the owner role in
the tenant's context (row-level security checks every row). Requests and their baseline
run interleaved after a warm-up; medians are reported, and two ratios: app / psycopg on the
large tenant (target ≤ 2) and large / small tenant through the app (target ≤ 1.2: the
balance is a column, never a sum over the ledger).

    python -m bench.retail                                   # 100,000 members x 10 entries
    python -m bench.retail --members 1000000 --entries 10    # the issue's full size
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import secrets
import statistics
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg

from bench.baseline_app import PRINCIPAL
from bench.plugin_tenant import api, tenant_with_module, timed_ms
from bench.timeline import Server, private_server
from rapport.app import create_app
from rapport.db.urls import libpq_url
from rapport.settings import Settings
from rapport.tenancy.tokens import read_access_token
from rapport_plugins.retail.scan import SQL

WARMUP = 30
ROUNDS = 300
SMALL = 1_000

# The statement the card view runs (plugins/retail/scan.py), in psycopg's parameter style.
STATEMENT = re.sub(r"(?<!:):([a-z_]+)", r"%(\1)s", SQL)


@dataclass
class Shop:
    tenant_id: str
    user_id: str
    program_id: str
    member_id: str
    contact_id: str
    number: str
    balance: int
    headers: dict[str, str]


async def make_shop(client: Any) -> Shop:
    signed, h = await tenant_with_module(client, "Bench shop", "retail")
    program = await api(client, "POST", "/api/v1/retail/programs", headers=h,
                         json={"name": "Club", "currency": "UAH"})
    for name, threshold in (("Silver", 0), ("Gold", 1_000), ("Platinum", 5_000)):
        await api(client, "POST", f"/api/v1/retail/programs/{program['id']}/tiers", headers=h,
                   json={"name": name, "threshold": threshold})
    await api(client, "POST", f"/api/v1/retail/programs/{program['id']}/rewards", headers=h,
               json={"name": "Coffee", "points_cost": 50})
    contact = await api(client, "POST", "/api/v1/contacts", headers=h, json={
        "given_name": "Taras", "patronymic": "Hryhorovych", "family_name": "Shevchenko",
        "language": "uk", "birthday": "1985-03-09"})
    member = await api(client, "POST", "/api/v1/retail/members", headers=h,
                        json={"contact_id": contact["id"], "program_id": program["id"]})
    number = member["cards"][0]["number"]
    for n in range(10):
        await api(client, "POST", "/api/v1/retail/till/purchases", headers=h, json={
            "card_number": number, "external_id": f"seed-{n}", "currency": "UAH",
            "amount": "120"})
    await api(client, "POST", f"/api/v1/retail/members/{member['id']}/redemptions",
               headers=h, json={"reward_id": (await api(
                   client, "GET", f"/api/v1/retail/programs/{program['id']}/rewards",
                   headers=h))[0]["id"]})
    view = await api(client, "GET", f"/api/v1/retail/till/cards/{number}", headers=h)
    return Shop(signed["tenant"]["id"], signed["user"]["id"], program["id"], member["id"],
                contact["id"], number, view["balance"], h)


def load(server: Server, shop: Shop, members: int, entries: int) -> None:
    """Bulk members (one card each) and their ledger, in the tenant's context."""
    with psycopg.connect(libpq_url(server.owner_url)) as conn:
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (shop.tenant_id,))
        conn.execute(
            "INSERT INTO contacts (tenant_id, id, given_name, family_name, display_name)"
            " SELECT %(t)s, uuidv7(), 'Member' || g, 'Bulk', 'Member' || g || ' Bulk'"
            " FROM generate_series(1, %(n)s) g", {"t": shop.tenant_id, "n": members})
        conn.execute(
            "INSERT INTO retail_members (tenant_id, id, program_id, contact_id, balance,"
            " qualifying_points) SELECT c.tenant_id, uuidv7(), %(p)s, c.id, %(e)s * 10,"
            " %(e)s * 10 FROM contacts c WHERE c.tenant_id = %(t)s AND c.family_name = 'Bulk'",
            {"t": shop.tenant_id, "p": shop.program_id, "e": entries})
        conn.execute(
            "INSERT INTO retail_cards (tenant_id, id, member_id, number, kind)"
            " SELECT tenant_id, uuidv7(), id, '9' || lpad((row_number() OVER ())::text, 15,"
            " '0'), 'virtual' FROM retail_members WHERE tenant_id = %(t)s AND id <> %(m)s",
            {"t": shop.tenant_id, "m": shop.member_id})
        conn.execute(
            "INSERT INTO retail_ledger (tenant_id, id, member_id, kind, points, qualifying,"
            " remaining, amount) SELECT m.tenant_id, uuidv7(), m.id, 'earn', 10, true, 10, 10"
            " FROM retail_members m CROSS JOIN generate_series(1, %(e)s)"
            " WHERE m.tenant_id = %(t)s", {"t": shop.tenant_id, "e": entries})
        conn.commit()
        conn.autocommit = True
        for table in ("contacts", "retail_members", "retail_cards", "retail_ledger"):
            conn.execute(f"ANALYZE {table}")


async def measure(server: Server, members: int, entries: int, rounds: int = ROUNDS
                  ) -> dict[str, float]:
    settings = Settings(secret_key=secrets.token_urlsafe(48), base_url="http://testserver",
                        log_json=True, login_slowdown_seconds=0.01, data_dir=server.data_dir)
    app = create_app(settings, server.app_url)
    # The app in this event loop (its lifespan, then httpx's ASGI transport): Litestar's
    # test client runs the app in a thread of its own, and its hand-offs between threads
    # cost more per request than the whole request path (measured: ~40 ms of lock waits).
    transport = httpx.ASGITransport(app=app)
    async with (app.lifespan(),
                httpx.AsyncClient(transport=transport, base_url="http://testserver") as client):
        big, small = await make_shop(client), await make_shop(client)
        load(server, big, members, entries)
        load(server, small, SMALL, entries)
        direct = await psycopg.AsyncConnection.connect(libpq_url(server.app_url))
        params = {"t": uuid.UUID(big.tenant_id), "number": big.number}

        def via_app(shop: Shop) -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                r = await client.get(f"/api/v1/retail/till/cards/{shop.number}",
                                     headers=shop.headers)
                if r.status_code != 200:
                    raise RuntimeError(r.text)
                r.json()
            return run

        claims = read_access_token(settings.secret_key,
                                   big.headers["Authorization"].partition(" ")[2])
        who = {"t": claims.tenant_id, "u": claims.user_id, "s": claims.session_id}

        async def via_sql() -> None:
            async with direct.transaction():
                await direct.execute("SELECT set_config('rapport.tenant_id', %s, true),"
                                     " set_config('rapport.user_id', %s, true)",
                                     (big.tenant_id, big.user_id))
                await (await direct.execute(STATEMENT, params)).fetchall()

        async def via_sql_all() -> None:
            # What the request runs: the tenant context, the principal (the token's member,
            # session and modules), the scan.
            async with direct.transaction():
                await direct.execute("SELECT set_config('rapport.tenant_id', %s, true),"
                                     " set_config('rapport.user_id', %s, true)",
                                     (big.tenant_id, big.user_id))
                if await (await direct.execute(PRINCIPAL, who)).fetchone() is None:
                    raise RuntimeError("no principal")
                await (await direct.execute(STATEMENT, params)).fetchall()

        times: dict[str, list[float]] = {"app_big": [], "app_small": [], "sql_big": [],
                                         "sql_all": []}
        try:
            for n in range(WARMUP + rounds):
                row = (await timed_ms(via_app(big)), await timed_ms(via_app(small)),
                       await timed_ms(via_sql), await timed_ms(via_sql_all))
                if n >= WARMUP:
                    for key, value in zip(times, row, strict=True):
                        times[key].append(value)
        finally:
            await direct.close()
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=10, help="ledger entries per member")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    with (open(os.devnull, "w") as sink, contextlib.redirect_stderr(sink),
          contextlib.redirect_stdout(sink), private_server() as server):
        m = asyncio.run(measure(server, args.members, args.entries, args.rounds))
    print(f"card scan; large tenant {args.members:,} members x {args.entries} ledger entries,"
          f" small tenant {SMALL:,}; {args.rounds} requests each, median")
    print("| case | median |")
    print("| --- | ---: |")
    print(f"| app, large tenant | {m['app_big']:.2f} ms |")
    print(f"| app, small tenant | {m['app_small']:.2f} ms |")
    print(f"| the scan statement, psycopg, large tenant | {m['sql_big']:.2f} ms |")
    print(f"| principal + tenant context + scan, psycopg, large | {m['sql_all']:.2f} ms |")
    print(f"app / psycopg (all the request's statements): {m['app_big'] / m['sql_all']:.2f}"
          f" (target <= 2); app / scan statement alone: {m['app_big'] / m['sql_big']:.2f};"
          f" large / small: {m['app_big'] / m['app_small']:.2f} (target <= 1.2)")


if __name__ == "__main__":
    main()
