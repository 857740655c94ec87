"""The promise report (``GET /api/v1/dealership/reports/promises``) on a tenant with a large
promise ledger, through the ASGI app, against the same SQL run directly with psycopg, in
one run; and the same report over a month, a quarter and a year, to show its cost grows
with the period asked for, not with the tenant's whole history.

A private embedded PostgreSQL is started and deleted afterwards. The dealer is made
through the API; its salespeople (memberships) and promises are bulk-loaded with
``INSERT … SELECT generate_series`` as the owner role in the tenant's context (row-level
security checks every row): ``--promises`` spread evenly over three years, ``--members``
salespeople, every status, probabilities 0 to 1. Requests and their baseline run
interleaved after a warm-up; medians are reported with the app / psycopg ratio (target
<= 1.5 on the year).

    python -m bench.dealership                               # 200,000 promises
    python -m bench.dealership --promises 1000000            # the issue's full size
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import statistics
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from typing import Any

import psycopg
from litestar.testing import AsyncTestClient
from sqlalchemy.engine import make_url

from bench.plugin_tenant import api, tenant_with_module, timed_ms
from bench.timeline import Server, private_server
from rapport.app import create_app
from rapport.db.urls import libpq_url
from rapport.settings import Settings

WARMUP = 10
ROUNDS = 60
END = date(2026, 12, 31)
PERIODS = (("month", 30), ("quarter", 91), ("year", 365))

# What plugins/dealership/reports.py builds for group_by=member, written out for psycopg
# (rounding and the kept-rate included: the app answers its rows as they come).
REPORT = """
SELECT CAST(promised_by AS VARCHAR) AS key, count(*) AS made,
       count(*) FILTER (WHERE status = 'open') AS open,
       count(*) FILTER (WHERE status = 'kept') AS kept,
       count(*) FILTER (WHERE status = 'broken') AS broken,
       count(*) FILTER (WHERE status = 'renegotiated') AS renegotiated,
       count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
       CAST(round(CAST(CAST(count(*) FILTER (WHERE status = 'kept') AS FLOAT)
                       / nullif(count(*) FILTER (WHERE status = 'kept')
                                + count(*) FILTER (WHERE status = 'broken'), 0)
                  AS NUMERIC), 4) AS FLOAT) AS kept_rate,
       CAST(round(CAST(avg(probability) AS NUMERIC), 4) AS FLOAT) AS mean_probability,
       CAST(round(CAST(avg(power(probability - CASE WHEN status = 'kept' THEN 1.0 ELSE 0.0 END,
                                 2)) FILTER (WHERE status IN ('kept', 'broken'))
                  AS NUMERIC), 4) AS FLOAT) AS brier
FROM dealership_promises
WHERE tenant_id = %(t)s AND due_at >= %(since)s AND due_at < %(until)s
GROUP BY promised_by ORDER BY promised_by
"""


@dataclass
class Dealer:
    tenant_id: str
    user_id: str
    headers: dict[str, str]
    contact_id: str


async def make_dealer(client: AsyncTestClient[Any]) -> Dealer:
    signed, h = await tenant_with_module(client, "Bench cars", "dealership")
    contact = await api(client, "POST", "/api/v1/contacts", headers=h,
                         json={"given_name": "Bulk", "family_name": "Buyer"})
    return Dealer(signed["tenant"]["id"], signed["user"]["id"], h, contact["id"])


def load(server: Server, d: Dealer, promises: int, members: int) -> None:
    """Salespeople and three years of promises, due evenly up to END."""
    days = 3 * 365
    with psycopg.connect(libpq_url(server.owner_url)) as conn:
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (d.tenant_id,))
        conn.execute(
            "INSERT INTO users (id, email, full_name) SELECT uuidv7(),"
            " 'seller' || g || '-' || %(t)s::text || '@bench.example.com', 'Seller ' || g"
            " FROM generate_series(1, %(n)s) g", {"t": d.tenant_id, "n": members})
        conn.execute(
            "INSERT INTO memberships (tenant_id, id, user_id, role, accepted_at)"
            " SELECT %(t)s::uuid, uuidv7(), id, 'salesperson', now() FROM users"
            " WHERE email LIKE 'seller%%-' || %(t)s::text || '@bench.example.com'",
            {"t": d.tenant_id})
        conn.execute(
            "INSERT INTO dealership_promises (tenant_id, id, kind, text, contact_id, promised_by,"
            " branch, made_at, due_at, probability, status)"
            " SELECT %(t)s::uuid, uuidv7(), (ARRAY['delivery_date','colour','price','call_back',"
            "  'we_owe'])[1 + g %% 5], 'Promise ' || g, %(c)s,"
            "  m.ids[1 + g %% array_length(m.ids, 1)],"
            "  'Branch ' || (g %% 4), due - interval '20 days', due, (g %% 11) / 10.0,"
            "  (ARRAY['kept','kept','broken','renegotiated','cancelled','open'])[1 + g %% 6]"
            " FROM generate_series(1, %(n)s) g,"
            "  LATERAL (SELECT %(end)s::timestamptz - (g::float / %(n)s * %(days)s)"
            "           * interval '1 day' AS due) d,"
            "  (SELECT array_agg(id) AS ids FROM memberships WHERE tenant_id = %(t)s"
            "   AND role = 'salesperson') m",
            {"t": d.tenant_id, "c": d.contact_id, "n": promises, "days": days,
             "end": END.isoformat()})
        conn.commit()
        conn.autocommit = True
    # As the superuser: the statistics must see every tenant's rows, whatever RLS says.
    url = make_url(server.superuser_url).set(database=server.owner_url.database)
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE dealership_promises")


def _append(path: str, text: str) -> None:
    """BENCH_EXPLAIN=file: each period's plan, to check the index-only scan."""
    with open(path, "a") as f:
        f.write(text + "\n\n")


async def measure(server: Server, promises: int, members: int) -> dict[str, dict[str, float]]:
    settings = Settings(secret_key=secrets.token_urlsafe(48), base_url="http://testserver",
                        log_json=True, login_slowdown_seconds=0.01, data_dir=server.data_dir)
    app = create_app(settings, server.app_url)
    async with AsyncTestClient(app=app) as client:
        d = await make_dealer(client)
        load(server, d, promises, members)
        direct = await psycopg.AsyncConnection.connect(libpq_url(server.app_url),
                                                       prepare_threshold=None)
        out: dict[str, dict[str, float]] = {}
        try:
            for name, length in PERIODS:
                start = END - timedelta(days=length - 1)
                params = {"t": uuid.UUID(d.tenant_id),
                          "since": datetime.combine(start, time_of_day.min, UTC),
                          "until": datetime.combine(END + timedelta(days=1), time_of_day.min, UTC)}

                async def via_app(start: date = start) -> None:
                    r = await client.get("/api/v1/dealership/reports/promises", headers=d.headers,
                                         params={"from": start.isoformat(),
                                                 "to": END.isoformat(), "group_by": "member"})
                    if r.status_code != 200 or len(r.json()["rows"]) != members:
                        raise RuntimeError(r.text[:300])

                async def via_sql(params: dict[str, Any] = params) -> None:
                    async with direct.transaction():
                        await direct.execute("SELECT set_config('rapport.tenant_id', %s, true)",
                                             (d.tenant_id,))
                        rows = await (await direct.execute(REPORT, params)).fetchall()
                        if len(rows) != members:
                            raise RuntimeError(f"{len(rows)} rows")

                if os.environ.get("BENCH_EXPLAIN"):
                    async with direct.transaction():
                        await direct.execute("SELECT set_config('rapport.tenant_id', %s, true)",
                                             (d.tenant_id,))
                        plan = await (await direct.execute("EXPLAIN (ANALYZE, BUFFERS) " + REPORT,
                                                           params)).fetchall()
                    _append(os.environ["BENCH_EXPLAIN"], "\n".join(r[0] for r in plan))
                app_times, sql_times = [], []
                for n in range(WARMUP + ROUNDS):
                    a, s = await timed_ms(via_app), await timed_ms(via_sql)
                    if n >= WARMUP:
                        app_times.append(a)
                        sql_times.append(s)
                out[name] = {"app": statistics.median(app_times),
                             "sql": statistics.median(sql_times)}
        finally:
            await direct.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--promises", type=int, default=200_000)
    parser.add_argument("--members", type=int, default=200)
    args = parser.parse_args()
    with (open(os.devnull, "w") as sink, contextlib.redirect_stderr(sink),
          contextlib.redirect_stdout(sink), private_server() as server):
        m = asyncio.run(measure(server, args.promises, args.members))
    print(f"promise report by salesperson; {args.promises:,} promises over three years,"
          f" {args.members} salespeople; {ROUNDS} requests per period, median")
    print("| period | app | same SQL, psycopg | app / psycopg |")
    print("| --- | ---: | ---: | ---: |")
    for name, _ in PERIODS:
        r = m[name]
        print(f"| {name} | {r['app']:.2f} ms | {r['sql']:.2f} ms | {r['app'] / r['sql']:.2f} |")
    year = m["year"]
    print(f"year: app / psycopg {year['app'] / year['sql']:.2f} (target <= 1.5);"
          f" year / month through the app: {year['app'] / m['month']['app']:.1f}"
          " (grows with the period)")


if __name__ == "__main__":
    main()
