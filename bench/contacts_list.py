"""A list request filtered on an indexed custom field, on a tenant holding 1M contacts.

1. Through the ASGI app (auth, tenant session, filter parsing, rendering) against the same
   list SQL run directly with psycopg as the application role (target: within 2x).
2. The same request with that tenant alone, against the same tenant plus 1,000 other
   tenants of 1,000 contacts each (target: ratio at most 1.2 — a tenant's cost grows with
   its own data, not with the platform's).

Run: ``python -m bench.contacts_list [--contacts N] [--tenants N --per-tenant N]``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
import uuid
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import event
from uuid_utils.compat import uuid7

from bench.common import BenchDatabase, bench_database, median_ms, table
from rapport.app import create_app
from rapport.settings import Settings

FILTER = "custom.shoe_size:eq:42"
SIZES = 100  # values 1..100: about 1% of a tenant's contacts match


def _copy_contacts(db: BenchDatabase, tenant_id: uuid.UUID, count: int) -> None:
    rng = random.Random(7)
    copy = "COPY contacts (tenant_id, id, given_name, family_name, fields) FROM STDIN"
    with db.superuser() as conn, conn.cursor() as cur, cur.copy(copy) as cp:
        for i in range(count):
            fields = json.dumps({"custom.shoe_size": rng.randint(1, SIZES)})
            cp.write_row((tenant_id, uuid7(), f"Given{i}", f"Family{i % 5000}", fields))


def _other_tenants(db: BenchDatabase, tenants: int, per_tenant: int) -> None:
    with db.superuser() as conn:
        ids = [uuid7() for _ in range(tenants)]
        with conn.cursor() as cur, cur.copy("COPY tenants (id, slug, name) FROM STDIN") as cp:
            for n, tid in enumerate(ids):
                cp.write_row((tid, f"other-{n:05d}", f"Other {n}"))
    rng = random.Random(11)
    copy = "COPY contacts (tenant_id, id, given_name, fields) FROM STDIN"
    with db.superuser() as conn, conn.cursor() as cur, cur.copy(copy) as cp:
        for tid in ids:
            for i in range(per_tenant):
                fields = json.dumps({"custom.shoe_size": rng.randint(1, SIZES)})
                cp.write_row((tid, uuid7(), f"G{i}", fields))


def _analyze(db: BenchDatabase) -> None:
    with db.superuser() as conn:
        conn.execute("ANALYZE")


def run(contacts: int, tenants: int, per_tenant: int, runs: int) -> str:
    settings = Settings(secret_key="bench-" + "x" * 40, login_slowdown_seconds=0.0,
                        log_json=True, login_address_lockout_after=10**9)
    with bench_database() as db:
        app = create_app(settings, db.app_url)
        with TestClient(app) as client:
            client.post("/api/v1/signup", json={
                "organization": {"name": "Bench", "slug": "bench"},
                "admin": {"email": "b@bench.example.com", "password": "bench password 1",
                          "full_name": "Bench"}})
            token = client.post("/api/v1/auth/login", json={
                "tenant": "bench", "email": "b@bench.example.com",
                "password": "bench password 1"}).json()["access_token"]
            client.cookies.clear()
            headers = {"Authorization": f"Bearer {token}"}
            tenant_id = uuid.UUID(client.get("/api/v1/me", headers=headers).json()["tenant"]["id"])
            r = client.post("/api/v1/fields", headers=headers, json={
                "key": "shoe_size", "entity": "contact", "type": "integer",
                "label": "Shoe size", "indexed": True})
            assert r.status_code == 201, r.text
            started = time.perf_counter()
            _copy_contacts(db, tenant_id, contacts)
            load_s = time.perf_counter() - started
            _analyze(db)

            captured: list[tuple[str, Any]] = []

            def capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
                if "FROM contacts" in statement and "ORDER BY" in statement:
                    captured.append((statement, params))

            event.listen(app.state.engine.sync_engine, "before_cursor_execute", capture)

            def request() -> None:
                resp = client.get("/api/v1/contacts", params={"filter": FILTER, "limit": 50},
                                  headers=headers)
                assert resp.status_code == 200 and resp.json()["items"], resp.text

            request()
            event.remove(app.state.engine.sync_engine, "before_cursor_execute", capture)
            statement, params = captured[-1]
            raw_conn = db.app()

            def raw() -> None:
                with raw_conn.transaction():
                    raw_conn.execute("SELECT set_config('rapport.tenant_id', %s, true)",
                                     (str(tenant_id),))
                    rows = raw_conn.execute(statement, params).fetchall()
                    assert rows

            alone = median_ms(request, runs=runs)
            raw_ms = median_ms(raw, runs=runs)
            _other_tenants(db, tenants, per_tenant)
            _analyze(db)
            crowded = median_ms(request, runs=runs)
            raw_crowded = median_ms(raw, runs=runs)
            raw_conn.close()
    return "\n".join([
        f"tenant: {contacts:,} contacts (loaded in {load_s:.1f} s incl. field index triggers); "
        f"filter `{FILTER}` (~1% match), page of 50; {runs} runs, median",
        "",
        table([
            ("list SQL run directly (psycopg, app role)", f"{raw_ms:.2f} ms", "1.00"),
            ("GET /api/v1/contacts?filter=… through the app", f"{alone:.2f} ms",
             f"{alone / raw_ms:.2f}"),
            (f"same request, + {tenants:,} tenants x {per_tenant:,} contacts", f"{crowded:.2f} ms",
             f"{crowded / alone:.2f} (vs alone)"),
            ("list SQL directly, crowded", f"{raw_crowded:.2f} ms",
             f"{raw_crowded / raw_ms:.2f} (vs alone)"),
        ]),
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--per-tenant", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    print(run(args.contacts, args.tenants, args.per_tenant, args.runs))


if __name__ == "__main__":
    main()
