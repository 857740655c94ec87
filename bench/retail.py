"""The till's card scan (``GET /api/v1/retail/till/cards/{number}``) on a large tenant and
on a small one, over HTTP from a real ``rapport run``, against the same statements run
directly with psycopg (the tenant context, the principal query and the scan —
``plugins/retail/scan.py``'s call of ``retail_card_scan``), in one run.

A private embedded PostgreSQL is started and deleted afterwards. Each tenant, its program
and the scanned member are made through the API (the app in this process); the other
members, their cards and ledger entries are bulk-loaded with ``INSERT … SELECT
generate_series`` as the owner role in the tenant's context (row-level security checks
every row). Then ``rapport run`` (one uvicorn process) serves the same database and
``wrk`` (one connection, keep-alive) asks for the card view; the statements go from one
psycopg connection with the app's driver settings (never prepared). Rounds are
interleaved after a warm-up; medians of the rounds' medians are reported, with two
ratios: app / psycopg on the large tenant (target ≤ 2) and large / small tenant through
the app (target ≤ 1.2: the balance is a column, never a sum over the ledger).

    python -m bench.retail                                   # 100,000 members x 10 entries
    python -m bench.retail --members 1000000 --entries 10    # the issue's full size

``--earning N``: instead, N purchases earned through the event path (their stored
``transaction.recorded`` delivered by the kernel's outbox worker in batches to
``rapport_event_rows_committed``, retail earning each batch set-based, reading the
purchases straight from the claimed outbox rows) against one
set-based statement writing the same ledger rows, on two tenants seeded alike; the two
ledgers are checked to agree (docs/benchmarks.md, "Retail loyalty").

    python -m bench.retail --earning 20000 --members 1000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.baseline_app import PRINCIPAL
from bench.plugin_tenant import api, tenant_with_module
from bench.request_path import SECRET, start_baseline, start_rapport, wrk
from bench.request_path import Server as RunningServer
from bench.timeline import Server, private_server
from rapport.app import create_app
from rapport.db.urls import libpq_url
from rapport.settings import Settings
from rapport.tenancy.tokens import read_access_token
from rapport_plugins.retail.scan import SQL

ROUNDS = 5
SECONDS = 4.0
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


async def seeded(server: Server, members: int, entries: int, secret_key: str
                 ) -> tuple[Shop, Shop]:
    """The two tenants, made through the app in this process, then bulk-loaded."""
    settings = Settings(secret_key=secret_key, base_url="http://testserver",
                        log_json=True, login_slowdown_seconds=0.01, data_dir=server.data_dir)
    app = create_app(settings, server.app_url)
    transport = httpx.ASGITransport(app=app)
    async with (app.lifespan(),
                httpx.AsyncClient(transport=transport, base_url="http://testserver") as client):
        big, small = await make_shop(client), await make_shop(client)
    load(server, big, members, entries)
    load(server, small, SMALL, entries)
    return big, small


def statements(server: Server, shop: Shop, secret_key: str, seconds: float
               ) -> tuple[float, float]:
    """The request's statements sent directly with psycopg, one client, for ``seconds``
    (the app's driver settings: never prepared, ``rapport.db.session.CONNECT_ARGS``):
    median milliseconds of the scan alone and of all three — the tenant context, the
    principal query (the token's member, session and modules), the scan — in one
    transaction."""
    claims = read_access_token(secret_key, shop.headers["Authorization"].partition(" ")[2])
    who = {"t": claims.tenant_id, "u": claims.user_id, "s": claims.session_id}
    params = {"t": uuid.UUID(shop.tenant_id), "number": shop.number}
    alone: list[float] = []
    every: list[float] = []
    with psycopg.connect(libpq_url(server.app_url), prepare_threshold=None) as conn:

        def one_transaction(principal: bool) -> float:
            started = time.perf_counter()
            with conn.transaction():
                conn.execute("SELECT set_config('rapport.tenant_id', %s, true),"
                             " set_config('rapport.user_id', %s, true)",
                             (shop.tenant_id, shop.user_id))
                if principal and conn.execute(PRINCIPAL, who).fetchone() is None:
                    raise RuntimeError("no principal")
                if conn.execute(STATEMENT, params).fetchone() is None:
                    raise RuntimeError("no card")
            return (time.perf_counter() - started) * 1000

        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            alone.append(one_transaction(principal=False))
            every.append(one_transaction(principal=True))
    return statistics.median(alone), statistics.median(every)


def measure(server: Server, members: int, entries: int, rounds: int = ROUNDS,
            seconds: float = SECONDS) -> dict[str, float]:
    """Interleaved rounds: the card view over HTTP on the large and the small tenant
    (``wrk``, one connection, keep-alive: its median latency), then the same statements
    directly with psycopg; medians of the rounds' medians."""
    # The key the baseline app checks tokens with (bench.request_path's): the seeding's
    # tokens then open both servers.
    secret_key = SECRET
    big, small = asyncio.run(seeded(server, members, entries, secret_key))
    times: dict[str, list[float]] = {"app_big": [], "app_small": [], "sql_big": [],
                                     "sql_all": [], "floor_big": []}
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp:
        # ``rapport run`` (one uvicorn process) on the bench's database.
        running = start_rapport(
            server.data_dir, 1, Path(tmp),
            RAPPORT_DATABASE_URL=server.owner_url.render_as_string(hide_password=False),
            RAPPORT_APP_DATABASE_URL=server.app_url.render_as_string(hide_password=False))
        floor = start_baseline(libpq_url(server.app_url), 1, Path(tmp))
        try:
            for shop in (big, small):  # warm-up: caches, connections, the function's plan
                view(running, shop, 2)
            view(floor, big, 2)
            statements(server, big, secret_key, 2)
            for _ in range(rounds):
                times["app_big"].append(view(running, big, seconds))
                times["app_small"].append(view(running, small, seconds))
                times["floor_big"].append(view(floor, big, seconds))
                alone, every = statements(server, big, secret_key, seconds)
                times["sql_big"].append(alone)
                times["sql_all"].append(every)
        finally:
            floor.stop()
            running.stop()
    return {k: statistics.median(v) for k, v in times.items()}


def view(running: RunningServer, shop: Shop, seconds: float) -> float:
    """Median latency of the card view over HTTP, one client (``wrk``)."""
    token = shop.headers["Authorization"].partition(" ")[2]
    load = wrk(f"{running.base}/api/v1/retail/till/cards/{shop.number}", token, 1, seconds,
               running.process.pid)
    print(f"  {shop.tenant_id}: p50 {load.p50_ms:.2f} ms, server CPU {load.cpu_ms:.2f} ms a"
          " request", file=sys.__stderr__, flush=True)
    return load.p50_ms


# ---------------------------------------------------------------- earning through events

PURCHASES = (
    "INSERT INTO transactions (tenant_id, id, external_id, kind, contact_id, amount, currency,"
    " occurred_at, channel) SELECT %(t)s, uuidv7(), 'bench-' || g, 'purchase', c.id,"
    " 100 + g %% 50, 'UAH', now(), 'store' FROM generate_series(1, %(n)s) g"
    " JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM contacts"
    "       WHERE tenant_id = %(t)s AND family_name = 'Bulk') c ON c.k = g %% %(m)s")
# Each purchase's ``transaction.recorded``, as the kernel stores it (its payload's keys).
EVENTS = (
    "INSERT INTO event_outbox (tenant_id, id, name, record_type, record_id, payload)"
    " SELECT tenant_id, uuidv7(), 'transaction.recorded', 'transaction', id,"
    " jsonb_build_object('kind', kind, 'currency', currency, 'amount', amount::text,"
    " 'occurred_at', to_jsonb(occurred_at), 'contact_id', contact_id::text, 'channel', channel,"
    " 'external_id', external_id, 'lines', '[]'::jsonb)"
    " FROM transactions WHERE tenant_id = %(t)s AND external_id LIKE 'bench-%%' ORDER BY id")
# The same ledger rows (and balances) written by one set-based statement.
SET_BASED = (
    "WITH earned AS (INSERT INTO retail_ledger (tenant_id, id, member_id, kind, points,"
    " qualifying, remaining, expires_at, transaction_id, amount)"
    " SELECT t.tenant_id, uuidv7(), m.id, 'earn', floor(t.amount * p.points_per_unit),"
    " true, floor(t.amount * p.points_per_unit), now() + interval '12 months', t.id, t.amount"
    " FROM transactions t JOIN retail_members m ON m.tenant_id = t.tenant_id"
    " AND m.contact_id = t.contact_id JOIN retail_programs p ON p.tenant_id = m.tenant_id"
    " AND p.id = m.program_id WHERE t.tenant_id = %(t)s AND t.external_id LIKE 'bench-%%'"
    " RETURNING member_id, points)"
    " UPDATE retail_members m SET balance = m.balance + s.points,"
    " qualifying_points = m.qualifying_points + s.points"
    " FROM (SELECT member_id, sum(points) AS points FROM earned GROUP BY member_id) s"
    " WHERE m.tenant_id = %(t)s AND m.id = s.member_id")
# The floor of earning as purchases arrive: the same statement over consecutive slices of
# the purchases, each slice its own transaction (as the worker's passes are) — each slice
# must update every member it holds once, where the one statement updates each member
# once for all of their purchases.
SLICE = SET_BASED.replace("t.external_id LIKE 'bench-%%'",
                          "t.external_id LIKE 'bench-%%' AND t.id >= %(lo)s AND t.id < %(hi)s")
LAST = uuid.UUID(int=(1 << 128) - 1)


def sliced(conn: psycopg.Connection[Any], tenant_id: str, batch: int) -> float:
    """Seconds for the statement run over ``batch``-purchase slices in id order."""
    conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant_id,))
    ids = [row[0] for row in conn.execute(
        "SELECT id FROM transactions WHERE tenant_id = %s AND external_id LIKE 'bench-%%'"
        " ORDER BY id", (tenant_id,))]
    conn.commit()
    bounds = [*ids[::batch], LAST]
    start = time.perf_counter()
    for lo, hi in itertools.pairwise(bounds):
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant_id,))
        conn.execute(SLICE, {"t": tenant_id, "lo": lo, "hi": hi})
        conn.commit()
    return time.perf_counter() - start


def purchases(server: Server, shop: Shop, members: int, n: int, events: bool) -> None:
    load(server, shop, members, 0)
    with psycopg.connect(libpq_url(server.owner_url)) as conn:
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (shop.tenant_id,))
        conn.execute(PURCHASES, {"t": shop.tenant_id, "n": n, "m": members})
        if events:
            # The set-up's own events (its till purchases) are not part of the measure.
            conn.execute("UPDATE event_outbox SET dispatched_at = now() WHERE tenant_id = %s"
                         " AND dispatched_at IS NULL", (shop.tenant_id,))
            conn.execute(EVENTS, {"t": shop.tenant_id})
        conn.commit()


async def through_events(server: Server, shop: Shop, batch: int, total: int,
                         blocked: tuple[str, ...] = ()) -> int:
    """Deliver the stored events with the kernel's outbox worker (``deliver_tenant``: oldest
    first, ``FOR UPDATE SKIP LOCKED``, consecutive events of one name as one batch to
    ``rapport_event_rows_committed`` — retail earns the batch from the claimed rows),
    ``batch`` events a transaction.
    Each transaction commits the ledger rows with the events marked delivered, so an
    interrupted run resumes with what is still due; progress goes to the terminal.
    ``blocked``: kernel areas or plugins left out of the worker's registry."""
    from rapport.core.events.outbox import deliver_tenant
    from rapport.core.modules.enabled import enabled_modules
    from rapport.db.session import make_engine, make_sessionmaker, tenant_session
    from rapport.hooks import load_registry

    engine = make_engine(server.app_url, pool_size=1, max_overflow=0)
    # The purchases' events are the oldest due; the ``retail.points_earned`` events each
    # batch adds come after them (delivered by later passes, not part of the measure).
    registry, tenant, done = load_registry(blocked=blocked), uuid.UUID(shop.tenant_id), 0
    gc.freeze()  # as ``rapport worker`` does once started (platform/worker.py)
    started = time.perf_counter()
    try:
        maker = make_sessionmaker(engine)
        while True:
            async with tenant_session(maker, tenant) as session:
                hooks = registry.for_tenant(await enabled_modules(session, tenant))
                handled = await deliver_tenant(session, hooks, tenant, batch)
            done += handled
            if done // 50_000 != (done - handled) // 50_000 or handled < batch:
                rate = done / (time.perf_counter() - started)
                print(f"  events: {done:,} delivered ({rate:,.0f}/s)", file=sys.__stderr__,
                      flush=True)
            if done >= total or handled < batch:
                return done
    finally:
        await engine.dispose()


def other_consumers() -> tuple[str, ...]:
    """Kernel areas and plugins other than retail that consume committed events."""
    from rapport.hooks import load_registry

    pm, names = load_registry().pm, set()
    for hook in ("rapport_event_committed", "rapport_events_committed",
                 "rapport_event_rows_committed"):
        names |= {impl.plugin_name for impl in getattr(pm.hook, hook).get_hookimpls()}
    return tuple(sorted(names - {"retail"}))


async def measure_earning(server: Server, members: int, n: int, batch: int,
                          blocked: tuple[str, ...] = ()) -> dict[str, float]:
    settings = Settings(secret_key=secrets.token_urlsafe(48), base_url="http://testserver",
                        log_json=True, login_slowdown_seconds=0.01, data_dir=server.data_dir)
    app = create_app(settings, server.app_url)
    transport = httpx.ASGITransport(app=app)
    async with (app.lifespan(),
                httpx.AsyncClient(transport=transport, base_url="http://testserver") as client):
        by_events, by_statement = await make_shop(client), await make_shop(client)
        by_slices = await make_shop(client)
    purchases(server, by_events, members, n, events=True)
    purchases(server, by_statement, members, n, events=False)
    purchases(server, by_slices, members, n, events=False)
    start = time.perf_counter()
    delivered = await through_events(server, by_events, batch, n, blocked)
    events_s = time.perf_counter() - start
    with psycopg.connect(libpq_url(server.app_url)) as conn:
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)",
                     (by_statement.tenant_id,))
        start = time.perf_counter()
        conn.execute(SET_BASED, {"t": by_statement.tenant_id})
        conn.commit()
        statement_s = time.perf_counter() - start
        slices_s = sliced(conn, by_slices.tenant_id, batch)
        counts = []
        for shop in (by_events, by_statement, by_slices):
            conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (shop.tenant_id,))
            counts.append(conn.execute(
                "SELECT count(*), sum(points) FROM retail_ledger WHERE tenant_id = %(t)s"
                " AND kind = 'earn' AND transaction_id IN (SELECT id FROM transactions"
                " WHERE tenant_id = %(t)s AND external_id LIKE 'bench-%%')",
                {"t": shop.tenant_id}).fetchone())
            conn.commit()
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (by_events.tenant_id,))
        due = conn.execute("SELECT count(*) FROM event_outbox WHERE tenant_id = %s AND name ="
                           " 'transaction.recorded' AND dispatched_at IS NULL",
                           (by_events.tenant_id,)).fetchone()
        conn.commit()
    if delivered < n or due != (0,) or not counts[0] == counts[1] == counts[2]:
        raise RuntimeError(f"not the same ledger: {delivered} events, {due} due, {counts}")
    return {"events_per_s": n / events_s, "rows_per_s": n / statement_s,
            "slices_per_s": n / slices_s, "events_s": events_s, "statement_s": statement_s,
            "slices_s": slices_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=10, help="ledger entries per member")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--seconds", type=float, default=SECONDS, help="per round and case")
    parser.add_argument("--earning", type=int, metavar="PURCHASES", default=None,
                        help="instead: earning for this many purchases through the event"
                             " path vs one set-based statement (the issue: 1000000)")
    parser.add_argument("--batch", type=int, default=500, help="events per transaction")
    parser.add_argument("--alone", action="store_true",
                        help="the worker without the other consumers of committed events")
    args = parser.parse_args()
    if args.earning is not None:
        members = min(args.members, 10_000)
        with (open(os.devnull, "w") as sink, contextlib.redirect_stderr(sink),
              contextlib.redirect_stdout(sink), private_server() as server):
            blocked = other_consumers() if args.alone else ()
            e = asyncio.run(measure_earning(server, members, args.earning, args.batch,
                                            blocked))
        print(f"earning for {args.earning:,} purchases of {members:,} members; other"
              f" consumers of committed events left out: {', '.join(blocked) or 'none'}")
        print("| path | time | purchases/s |")
        print("| --- | ---: | ---: |")
        print(f"| events (outbox -> kernel worker -> rapport_event_rows_committed -> retail),"
              f" {args.batch} a transaction"
              f" | {e['events_s']:.1f} s | {e['events_per_s']:,.0f} |")
        print(f"| one set-based statement | {e['statement_s']:.2f} s"
              f" | {e['rows_per_s']:,.0f} |")
        print(f"| the same statement over slices of {args.batch} purchases, a transaction each"
              f" | {e['slices_s']:.2f} s | {e['slices_per_s']:,.0f} |")
        print(f"events / set-based: {e['events_per_s'] / e['rows_per_s']:.3f} (target >= 0.3);"
              f" events / sliced: {e['events_per_s'] / e['slices_per_s']:.3f}")
        return
    with (open(os.devnull, "w") as sink, contextlib.redirect_stderr(sink),
          contextlib.redirect_stdout(sink), private_server() as server):
        m = measure(server, args.members, args.entries, args.rounds, args.seconds)
    print(f"card scan; large tenant {args.members:,} members x {args.entries} ledger entries,"
          f" small tenant {SMALL:,}; {args.rounds} interleaved rounds of {args.seconds:g} s,"
          " one client, medians")
    print("| case | median |")
    print("| --- | ---: |")
    print(f"| app over HTTP (`rapport run`, wrk), large tenant | {m['app_big']:.2f} ms |")
    print(f"| app over HTTP, small tenant | {m['app_small']:.2f} ms |")
    print(f"| the floor: a minimal Litestar app running the same statements over HTTP"
          f" (`bench/baseline_app.py`), large | {m['floor_big']:.2f} ms |")
    print(f"| the scan statement, psycopg, large tenant | {m['sql_big']:.2f} ms |")
    print(f"| tenant context + principal + scan, psycopg, large | {m['sql_all']:.2f} ms |")
    print(f"app / psycopg (all the request's statements): {m['app_big'] / m['sql_all']:.2f}"
          f" (target <= 2); app / scan statement alone: {m['app_big'] / m['sql_big']:.2f};"
          f" large / small: {m['app_big'] / m['app_small']:.2f} (target <= 1.2)")
    print(f"the floor / psycopg: {m['floor_big'] / m['sql_all']:.2f}; app / the floor:"
          f" {m['app_big'] / m['floor_big']:.2f}")


if __name__ == "__main__":
    main()
