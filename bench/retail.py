"""The till's card scan (``GET /api/v1/retail/till/cards/{number}``) on a large tenant and
on a small one, through the ASGI app, against the same statements run directly with
psycopg, in one run.

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
import secrets
import statistics
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from litestar.testing import AsyncTestClient

from bench.plugin_tenant import api, tenant_with_module, timed_ms
from bench.timeline import Server, private_server
from rapport.app import create_app
from rapport.db.urls import libpq_url
from rapport.settings import Settings

WARMUP = 30
ROUNDS = 300
SMALL = 1_000

# The statements the card view runs (plugins/retail/till.py), written out for psycopg.
STATEMENTS = (
    ("SELECT k.*, m.*, p.*, c.* FROM retail_cards k"
     " JOIN retail_members m ON m.tenant_id = k.tenant_id AND m.id = k.member_id"
     " JOIN retail_programs p ON p.tenant_id = m.tenant_id AND p.id = m.program_id"
     " JOIN contacts c ON c.tenant_id = m.tenant_id AND c.id = m.contact_id"
     " WHERE k.tenant_id = %(t)s AND k.number = %(number)s", ()),
    ("SELECT * FROM retail_tiers WHERE tenant_id = %(t)s AND program_id = %(program)s"
     " ORDER BY threshold, name", ()),
    ("SELECT v.*, r.name FROM retail_vouchers v JOIN retail_rewards r"
     " ON r.tenant_id = v.tenant_id AND r.id = v.reward_id"
     " WHERE v.tenant_id = %(t)s AND v.member_id = %(member)s AND v.state = 'issued'"
     " AND v.expires_at > now() ORDER BY v.expires_at", ()),
    ("SELECT created_at, amount, points FROM retail_ledger WHERE tenant_id = %(t)s"
     " AND member_id = %(member)s AND kind = 'earn' ORDER BY created_at DESC LIMIT 5", ()),
    ("SELECT r.name, r.sku, r.multiplier FROM retail_rules r JOIN retail_bought b"
     " ON b.tenant_id = r.tenant_id AND b.sku = r.sku AND b.member_id = %(member)s"
     " WHERE r.tenant_id = %(t)s AND r.program_id = %(program)s"
     " AND (r.starts_at IS NULL OR r.starts_at <= now())"
     " AND (r.ends_at IS NULL OR r.ends_at > now())"
     " ORDER BY r.multiplier DESC, b.times DESC LIMIT 3", ()),
    ("SELECT b.sku, sum(b.times) FROM retail_bought b"
     " JOIN retail_members m ON m.tenant_id = b.tenant_id AND m.id = b.member_id"
     " JOIN contact_relationship_members rm ON rm.tenant_id = m.tenant_id"
     " AND rm.contact_id = m.contact_id"
     " WHERE b.tenant_id = %(t)s AND rm.relationship_id IN (SELECT relationship_id"
     " FROM contact_relationship_members WHERE tenant_id = %(t)s AND contact_id = %(contact)s)"
     " AND m.contact_id <> %(contact)s AND b.sku NOT IN (SELECT sku FROM retail_bought"
     " WHERE tenant_id = %(t)s AND member_id = %(member)s)"
     " GROUP BY b.sku ORDER BY sum(b.times) DESC, b.sku LIMIT 3", ()),
    ("SELECT * FROM retail_rewards WHERE tenant_id = %(t)s AND program_id = %(program)s"
     " AND active AND points_cost <= %(balance)s ORDER BY points_cost DESC LIMIT 3", ()),
)


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


async def make_shop(client: AsyncTestClient[Any]) -> Shop:
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


async def measure(server: Server, members: int, entries: int) -> dict[str, float]:
    settings = Settings(secret_key=secrets.token_urlsafe(48), base_url="http://testserver",
                        log_json=True, login_slowdown_seconds=0.01, data_dir=server.data_dir)
    app = create_app(settings, server.app_url)
    async with AsyncTestClient(app=app) as client:
        big, small = await make_shop(client), await make_shop(client)
        load(server, big, members, entries)
        load(server, small, SMALL, entries)
        direct = await psycopg.AsyncConnection.connect(libpq_url(server.app_url))
        params = {"t": uuid.UUID(big.tenant_id), "number": big.number,
                  "member": uuid.UUID(big.member_id), "program": uuid.UUID(big.program_id),
                  "contact": uuid.UUID(big.contact_id),
                  "balance": big.balance}

        def via_app(shop: Shop) -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                r = await client.get(f"/api/v1/retail/till/cards/{shop.number}",
                                     headers=shop.headers)
                if r.status_code != 200:
                    raise RuntimeError(r.text)
                r.json()
            return run

        async def via_sql() -> None:
            async with direct.transaction():
                await direct.execute("SELECT set_config('rapport.tenant_id', %s, true),"
                                     " set_config('rapport.user_id', %s, true)",
                                     (big.tenant_id, big.user_id))
                for sql, _ in STATEMENTS:
                    await (await direct.execute(sql, params)).fetchall()

        times: dict[str, list[float]] = {"app_big": [], "app_small": [], "sql_big": []}
        try:
            for n in range(WARMUP + ROUNDS):
                row = (await timed_ms(via_app(big)), await timed_ms(via_app(small)),
                       await timed_ms(via_sql))
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
    args = parser.parse_args()
    with (open(os.devnull, "w") as sink, contextlib.redirect_stderr(sink),
          contextlib.redirect_stdout(sink), private_server() as server):
        m = asyncio.run(measure(server, args.members, args.entries))
    print(f"card scan; large tenant {args.members:,} members x {args.entries} ledger entries,"
          f" small tenant {SMALL:,}; {ROUNDS} requests each, median")
    print("| case | median |")
    print("| --- | ---: |")
    print(f"| app, large tenant | {m['app_big']:.2f} ms |")
    print(f"| app, small tenant | {m['app_small']:.2f} ms |")
    print(f"| same statements, psycopg, large tenant | {m['sql_big']:.2f} ms |")
    print(f"app / psycopg: {m['app_big'] / m['sql_big']:.2f} (target <= 2);"
          f" large / small: {m['app_big'] / m['app_small']:.2f} (target <= 1.2)")


if __name__ == "__main__":
    main()
