"""Analytics: a full recompute (RFM, ABC, XYZ, CLV) of one big tenant by the app's job
runner, against the same computation in one hand-written SQL statement per class
(``python -m bench.analytics``; sizes with ``--contacts`` / ``--transactions``).

A private embedded PostgreSQL is started and deleted afterwards (or, with ``--keep DIR``,
kept there and reused by the next run of this bench or bench.segments). The tenant is
``bench.common.seed``'s, the one bench.segments measures: contacts and transactions (two
years, skewed: a few customers buy a lot; one in ten in USD, so the EUR recompute sees nine
in ten), interactions and consent, generated set-based, then ANALYZEd. The job runs as the
application role (RLS on) through ``jobs.run`` — the very code the worker and the CLI run —
first on an empty ``contact_analytics`` (every contact's
classes and first history rows written), then again after 1 % more transactions (only
changed rows written). The baseline computes each class with one hand-written statement
into a temporary table (``CREATE TEMP TABLE … AS``: computing and writing the classes, no
history, no upsert); for CLV the baseline is the per-contact summary statement alone — the
fit itself has no SQL equivalent and is reported on its own.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import BenchDatabase, bench_database, load_averages, seed

# 1 % more purchases in the last 30 days, marked (channel) so a kept database loses them again.
MORE = """INSERT INTO transactions (tenant_id, id, kind, contact_id, amount, currency,
                                    occurred_at, channel)
       SELECT %(tenant)s, uuidv7(), 'purchase', c.id, round((5 + random() * 195)::numeric, 2),
              'EUR', now() - random() * interval '30 days', 'bench-more'
       FROM (SELECT 1 + floor(%(contacts)s * random())::bigint AS n
             FROM generate_series(1, %(more)s) g) picked
       JOIN (SELECT row_number() OVER (ORDER BY id) AS n, id FROM contacts
             WHERE tenant_id = %(tenant)s) c ON c.n = picked.n"""
LESS = "DELETE FROM transactions WHERE tenant_id = %(tenant)s AND channel = 'bench-more'"
# A kept database's earlier recompute, undone: the first recompute starts empty.
EMPTY = "TRUNCATE analytics_class_changes, contact_analytics, analytics_jobs"

BASE = """WITH purchases AS (
    SELECT contact_id, occurred_at, amount FROM transactions
    WHERE tenant_id = %(tenant)s AND currency = 'EUR' AND contact_id IS NOT NULL
      AND occurred_at >= %(since)s AND occurred_at < %(until)s)"""
# One hand-written statement per class, as an analyst would write it.
HAND = {
    "rfm": BASE + """
    SELECT contact_id, ntile(5) OVER (ORDER BY max(occurred_at)) AS r,
           ntile(5) OVER (ORDER BY count(*)) AS f, ntile(5) OVER (ORDER BY sum(amount)) AS m
    FROM purchases GROUP BY contact_id""",
    "abc": BASE + """,
    totals AS (SELECT contact_id, sum(amount) AS revenue FROM purchases GROUP BY contact_id)
    SELECT contact_id, CASE
        WHEN sum(revenue) OVER (ORDER BY revenue DESC, contact_id) - revenue
             < 0.8 * sum(revenue) OVER () THEN 'A'
        WHEN sum(revenue) OVER (ORDER BY revenue DESC, contact_id) - revenue
             < 0.95 * sum(revenue) OVER () THEN 'B' ELSE 'C' END AS abc
    FROM totals""",
    "xyz": BASE + """,
    months AS (SELECT contact_id, date_trunc('month', occurred_at) AS month,
                      sum(amount) AS spent FROM purchases GROUP BY 1, 2),
    filled AS (SELECT c.contact_id, coalesce(m.spent, 0) AS spent
               FROM (SELECT DISTINCT contact_id FROM months) c
               CROSS JOIN generate_series(date_trunc('month', %(since)s::timestamptz),
                                          %(until)s::timestamptz - interval '1 microsecond',
                                          interval '1 month') s(month)
               LEFT JOIN months m ON m.contact_id = c.contact_id AND m.month = s.month)
    SELECT contact_id, CASE WHEN stddev_pop(spent) / avg(spent) <= 0.5 THEN 'X'
                            WHEN stddev_pop(spent) / avg(spent) <= 1.0 THEN 'Y' ELSE 'Z' END
    FROM filled GROUP BY contact_id""",
}


async def recompute(db: BenchDatabase, tenant: uuid.UUID) -> dict[str, Any]:
    """A job with the default parameters, run to the end by ``jobs.run``."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from rapport.core.analytics import jobs
    from rapport.core.analytics.models import QUEUED, STEPS, AnalyticsJob
    from rapport.core.analytics.parameters import resolve
    from rapport.db.session import CONNECT_ARGS, make_sessionmaker, tenant_session

    engine = create_async_engine(db.app_url, connect_args=CONNECT_ARGS)
    try:
        maker = make_sessionmaker(engine)
        values = {**resolve({}, None).as_json(), "currency": "EUR"}
        async with tenant_session(maker, tenant) as session:
            job = AnalyticsJob(tenant_id=tenant, status=QUEUED, parameters=values,
                               steps=list(STEPS), steps_done=0, results={})
            session.add(job)
            await session.flush()
            job_id = job.id
        start = time.perf_counter()
        done = await jobs.run(maker, tenant, job_id)
        assert done is not None and done.status == "completed"
        return {"total": time.perf_counter() - start, "results": done.results,
                "parameters": values}
    finally:
        await engine.dispose()


def hand_written(db: BenchDatabase, tenant: uuid.UUID, parameters: dict[str, Any]
                 ) -> dict[str, float]:
    from datetime import datetime, timedelta

    from rapport.core.analytics.clv import HISTORY

    until = datetime.fromisoformat(parameters["until"])
    values = {"tenant": tenant, "since": until - timedelta(days=parameters["period_days"]),
              "until": until, "currency": "EUR",
              "cut": until - timedelta(days=parameters["clv_holdout_days"])}
    took: dict[str, float] = {}
    with db.app() as conn:
        for kind, sql in HAND.items():
            with conn.transaction():
                conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (str(tenant),))
                start = time.perf_counter()
                conn.execute(f"CREATE TEMP TABLE hand_{kind} ON COMMIT DROP AS {sql}", values)
                took[kind] = time.perf_counter() - start
        history = HISTORY
        for name in ("tenant", "currency", "until", "cut"):
            history = history.replace(f"CAST(:{name} AS timestamptz)", f"%({name})s::timestamptz")
            history = history.replace(f":{name}", f"%({name})s")
        with conn.transaction():
            conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (str(tenant),))
            start = time.perf_counter()
            conn.execute(f"CREATE TEMP TABLE hand_clv ON COMMIT DROP AS {history}", values)
            took["clv"] = time.perf_counter() - start
    return took


def run(contacts: int, transactions: int, interactions: int, keep: Path | None = None
        ) -> str:
    with bench_database("rapport_bench", keep) as db:
        start = time.perf_counter()
        tenant, took = seed(db, contacts, transactions, interactions)
        loaded = time.perf_counter() - start
        values = {"tenant": tenant, "contacts": contacts, "more": transactions // 100}
        with db.superuser() as conn:
            for statement in (LESS, EMPTY, "VACUUM ANALYZE transactions"):
                conn.execute(statement, values)
        loads = [load_averages()]
        first = asyncio.run(recompute(db, tenant))
        loads.append(load_averages())
        hand = hand_written(db, tenant, first["parameters"])
        loads.append(load_averages())
        with db.superuser() as conn:
            conn.execute(MORE, values)
            conn.execute("ANALYZE transactions")
        second = asyncio.run(recompute(db, tenant))
        loads.append(load_averages())
        with db.superuser() as conn:
            conn.execute(LESS, values)
            conn.execute("VACUUM ANALYZE transactions")
    made = ("reused from the kept database" if not took else
            f"generated in {loaded:.0f} s")
    rows = []
    for kind in ("rfm", "abc", "xyz", "clv"):
        a, b = first["results"][kind], second["results"][kind]
        rows.append(f"| {kind} | {a['classified']:,} | {hand[kind]:.1f} s | {a['seconds']:.1f} s "
                    f"| {a['seconds'] / hand[kind]:.2f} | {b['seconds']:.1f} s "
                    f"({b['written']:,} rows written) | {b['seconds'] / hand[kind]:.2f} |")
    clv = first["results"]["clv"]
    return "\n".join([
        f"one tenant: {contacts:,} contacts, {transactions:,} transactions over two years, "
        f"one in ten in USD ({made}); default parameters in EUR (365 days, quintiles, "
        "80/95 %, monthly XYZ, 12-month CLV with a 90-day holdout); load average "
        f"(1/5/15 min) before the first recompute, the hand-written statements, the "
        f"second recompute and after: {'; '.join(loads)}",
        "",
        "| class | contacts | hand-written SQL | recompute (first) | ratio | recompute "
        "after +1 % transactions | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        f"| **total** | | {sum(hand.values()):.1f} s | {first['total']:.1f} s | "
        f"{first['total'] / sum(hand.values()):.2f} | {second['total']:.1f} s | "
        f"{second['total'] / sum(hand.values()):.2f} |",
        "",
        f"CLV: method {clv['method']}, holdout {clv.get('holdout')}",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--interactions", type=int, default=2_000_000,
                        help="generated for bench.segments' tenant, unused here")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep the embedded server's data in DIR and reuse its tenant "
                             "(of the same sizes) on the next run, of this bench or "
                             "bench.segments")
    args = parser.parse_args()
    print(run(args.contacts, args.transactions, args.interactions, args.keep))


if __name__ == "__main__":
    main()
