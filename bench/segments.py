"""Segments: three representative segments on a big tenant, the statement the segment
compiler builds against a hand-written SQL for the same question (``python -m
bench.segments``; sizes with ``--contacts`` / ``--transactions``).

A private embedded PostgreSQL is started and deleted afterwards. One tenant's contacts,
transactions (skewed: a few customers buy a lot), interactions and consent are generated
with set-based SQL (``INSERT … SELECT`` over ``generate_series``), then ANALYZEd. Each
question is a ``count(*)`` of the segment's members — the heaviest read, every match —
run as the application role inside the tenant's context (RLS on), compiled and
hand-written alternately, median of ``--runs``. The ratio compiled / hand-written is the
measurement (target ≤ 1.1); the plans' node types are printed side by side.
tests/core/segments/test_segments_plans.py holds the same pairs to the same plan shape on a
small data set.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.dialects import postgresql

from bench.common import BenchDatabase, bench_database, median_ms, table

# (name, definition, hand-written SQL). ``%(tenant)s`` is the tenant's id.
SEGMENTS: list[tuple[str, dict[str, Any], str]] = [
    (
        "big spenders of the last 90 days who may get e-mail offers",
        {"all": [
            {"purchases": {"within_days": 90, "min_sum": "300", "currency": "EUR"}},
            {"consent": {"channel": "email", "topic": "offers"}},
        ]},
        """
        SELECT count(*) FROM contacts c
        WHERE c.tenant_id = %(tenant)s AND c.deleted_at IS NULL
          AND c.id IN (
            SELECT t.contact_id FROM transactions t
            WHERE t.tenant_id = %(tenant)s AND t.contact_id IS NOT NULL
              AND t.occurred_at >= now() - interval '90 days' AND t.currency = 'EUR'
            GROUP BY t.contact_id HAVING sum(t.amount) >= 300)
          AND NOT EXISTS (
            SELECT 1 FROM contact_policies p
            WHERE p.tenant_id = %(tenant)s AND p.contact_id = c.id AND p.do_not_contact)
          AND (SELECT e.status FROM consent_events e
               WHERE e.tenant_id = %(tenant)s AND e.contact_id = c.id
                 AND e.channel = 'email' AND e.topic = 'offers'
               ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1) = 'opt_in'
          AND NOT EXISTS (
            SELECT 1 FROM contact_policies p
            WHERE p.tenant_id = %(tenant)s AND p.contact_id = c.id
              AND p.frequency_max IS NOT NULL
              AND (SELECT count(*) FROM interactions i
                   WHERE i.tenant_id = %(tenant)s AND i.contact_id = c.id
                     AND i.direction = 'outbound' AND i.channel = 'email'
                     AND i.occurred_at > now() - make_interval(days => p.frequency_days))
                  >= p.frequency_max)
        """,
    ),
    (
        "lapsed: bought before, nothing in the last 180 days",
        {"all": [{"purchases": {}}, {"not": {"purchases": {"within_days": 180}}}]},
        """
        SELECT count(*) FROM contacts c
        WHERE c.tenant_id = %(tenant)s AND c.deleted_at IS NULL
          AND c.id IN (SELECT t.contact_id FROM transactions t
                       WHERE t.tenant_id = %(tenant)s AND t.contact_id IS NOT NULL
                       GROUP BY t.contact_id HAVING count(*) >= 1)
          AND c.id NOT IN (SELECT t.contact_id FROM transactions t
                           WHERE t.tenant_id = %(tenant)s AND t.contact_id IS NOT NULL
                             AND t.occurred_at >= now() - interval '180 days'
                           GROUP BY t.contact_id HAVING count(*) >= 1)
        """,
    ),
    (
        "frequent buyers (5+ in a year) called in the last 90 days",
        {"all": [
            {"purchases": {"within_days": 365, "min_count": 5}},
            {"interactions": {"kind": "call", "within_days": 90}},
        ]},
        """
        SELECT count(*) FROM contacts c
        WHERE c.tenant_id = %(tenant)s AND c.deleted_at IS NULL
          AND c.id IN (SELECT t.contact_id FROM transactions t
                       WHERE t.tenant_id = %(tenant)s AND t.contact_id IS NOT NULL
                         AND t.occurred_at >= now() - interval '365 days'
                       GROUP BY t.contact_id HAVING count(*) >= 5)
          AND c.id IN (SELECT i.contact_id FROM interactions i
                       WHERE i.tenant_id = %(tenant)s AND i.kind = 'call'
                         AND i.occurred_at >= now() - interval '90 days'
                       GROUP BY i.contact_id HAVING count(*) >= 1)
        """,
    ),
]

GENERATE = [
    "INSERT INTO tenants (id, slug, name) VALUES (%(tenant)s, 'bench-segments', 'Bench')",
    # Contacts: ids in time order (uuidv7), as the app makes them.
    """INSERT INTO contacts (tenant_id, id, given_name, family_name)
       SELECT %(tenant)s, uuidv7(), 'Given' || g, 'Family' || (g %% 5000)
       FROM generate_series(1, %(contacts)s) g""",
    """CREATE TEMP TABLE numbered AS
       SELECT row_number() OVER (ORDER BY id) AS n, id FROM contacts
       WHERE tenant_id = %(tenant)s""",
    "CREATE UNIQUE INDEX ON numbered (n)",
    # Skewed buying: contact n = 1 + floor(N * r^2) — the first contacts buy most.
    """INSERT INTO transactions (tenant_id, id, kind, contact_id, amount, currency,
                                 occurred_at, channel)
       SELECT %(tenant)s, uuidv7(), 'purchase', c.id, round((5 + random() * 195)::numeric, 2),
              CASE WHEN g %% 10 = 0 THEN 'USD' ELSE 'EUR' END,
              now() - random() * interval '730 days', 'store'
       FROM (SELECT g, 1 + floor(%(contacts)s * random() ^ 2)::bigint AS n
             FROM generate_series(1, %(transactions)s) g) picked
       JOIN numbered c ON c.n = picked.n""",
    """INSERT INTO interactions (tenant_id, id, contact_id, kind, channel, direction,
                                 occurred_at, member_id)
       SELECT %(tenant)s, uuidv7(), c.id,
              (ARRAY['call', 'email', 'meeting', 'visit'])[1 + g %% 4],
              (ARRAY['phone', 'email', 'office', 'store'])[1 + g %% 4],
              CASE WHEN g %% 3 = 0 THEN 'inbound' ELSE 'outbound' END,
              now() - random() * interval '365 days', %(tenant)s
       FROM (SELECT g, 1 + floor(%(contacts)s * random())::bigint AS n
             FROM generate_series(1, %(interactions)s) g) picked
       JOIN numbered c ON c.n = picked.n""",
    # Consent: half the contacts said something about e-mail offers (mostly yes), later
    # words overriding earlier ones for some; a few ask not to be contacted or are capped.
    """INSERT INTO consent_events (tenant_id, id, contact_id, channel, topic, status, source,
                                   occurred_at)
       SELECT %(tenant)s, uuidv7(), c.id, 'email', 'offers',
              CASE WHEN c.n %% 7 = 0 THEN 'opt_out' ELSE 'opt_in' END, 'bench',
              now() - interval '400 days'
       FROM numbered c WHERE c.n %% 2 = 0""",
    """INSERT INTO consent_events (tenant_id, id, contact_id, channel, topic, status, source,
                                   occurred_at)
       SELECT %(tenant)s, uuidv7(), c.id, 'email', 'offers', 'opt_out', 'bench',
              now() - interval '10 days'
       FROM numbered c WHERE c.n %% 22 = 0""",
    """INSERT INTO contact_policies (tenant_id, id, contact_id, do_not_contact, frequency_max,
                                     frequency_days)
       SELECT %(tenant)s, uuidv7(), c.id, c.n %% 50 = 0,
              CASE WHEN c.n %% 50 = 25 THEN 2 END, CASE WHEN c.n %% 50 = 25 THEN 30 END
       FROM numbered c WHERE c.n %% 25 = 0""",
    "ANALYZE",
]


def generate(conn: Any, tenant: uuid.UUID, contacts: int, transactions: int,
             interactions: int) -> dict[str, float]:
    """Fill one tenant set-based; seconds per step."""
    took: dict[str, float] = {}
    values = {"tenant": tenant, "contacts": contacts, "transactions": transactions,
              "interactions": interactions}
    for statement in GENERATE:
        start = time.perf_counter()
        conn.execute(statement, values)
        took[" ".join(statement.split()[:3])] = time.perf_counter() - start
    return took


def compiled_sql(tenant: uuid.UUID, definition: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The segment's count statement exactly as the API builds it, as psycopg SQL."""
    from rapport.core.segments.service import Vocabulary, count_statement, members_condition

    statement = count_statement(members_condition(tenant, Vocabulary([]), definition))
    compiled = statement.compile(dialect=postgresql.psycopg.dialect())  # type: ignore[attr-defined]
    return str(compiled), dict(compiled.params)


def in_tenant(conn: Any, tenant: uuid.UUID, sql: str, params: Any) -> Callable[[], Any]:
    def run() -> Any:
        with conn.transaction():
            conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (str(tenant),))
            return conn.execute(sql, params).fetchall()
    return run


def node_types(conn: Any, tenant: uuid.UUID, sql: str, params: Any) -> list[str]:
    """The plan's node types, depth first (``EXPLAIN (FORMAT JSON)`` in the tenant)."""
    with conn.transaction():
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (str(tenant),))
        [(plan,)] = conn.execute("EXPLAIN (FORMAT JSON) " + sql, params).fetchall()
    found: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        found.append(node["Node Type"])
        for child in node.get("Plans", []):
            walk(child)

    walk((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"])
    return found


def measure(db: BenchDatabase, tenant: uuid.UUID, runs: int) -> list[tuple[str, ...]]:
    rows = []
    with db.app() as conn:
        for name, definition, hand in SEGMENTS:
            sql, params = compiled_sql(tenant, definition)
            compiled = in_tenant(conn, tenant, sql, params)
            written = in_tenant(conn, tenant, hand, {"tenant": tenant})
            assert compiled() == written(), f"{name}: the two statements disagree"
            found = compiled()[0][0]
            # Alternate the two so a busy moment of the machine hits both alike.
            times: dict[str, list[float]] = {"compiled": [], "hand": []}
            for _ in range(runs):
                times["compiled"].append(median_ms(compiled, runs=1, warmup=0))
                times["hand"].append(median_ms(written, runs=1, warmup=0))
            c = sorted(times["compiled"])[len(times["compiled"]) // 2]
            h = sorted(times["hand"])[len(times["hand"]) // 2]
            same = node_types(conn, tenant, sql, params) == node_types(
                conn, tenant, hand, {"tenant": tenant})
            rows.append((name, f"{found:,}", f"{h:.1f} ms", f"{c:.1f} ms", f"{c / h:.2f}",
                         "same" if same else "different"))
    return rows


def run(contacts: int, transactions: int, interactions: int, runs: int) -> str:
    tenant = uuid.uuid4()
    with bench_database("rapport_bench_segments") as db:
        with db.superuser() as conn:
            start = time.perf_counter()
            took = generate(conn, tenant, contacts, transactions, interactions)
            loaded = time.perf_counter() - start
        rows = measure(db, tenant, runs)
    lines = [
        f"one tenant: {contacts:,} contacts, {transactions:,} transactions, "
        f"{interactions:,} interactions (generated set-based in {loaded:.0f} s: "
        + ", ".join(f"{k} {v:.0f} s" for k, v in took.items() if v >= 1) + f"); "
        f"count(*) of each segment as the app role in the tenant, {runs} runs alternated, "
        "median",
        "",
        "| segment | members | hand-written SQL | compiled | ratio | plan shape |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        *[f"| {' | '.join(r)} |" for r in rows],
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--interactions", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    print(run(args.contacts, args.transactions, args.interactions, args.runs))


__all__ = ["SEGMENTS", "compiled_sql", "generate", "node_types", "table"]

if __name__ == "__main__":
    main()
