"""A list request filtered on an indexed custom field, on a tenant holding 1M contacts.

1. Through the ASGI app (auth, tenant session, filter parsing, rendering) against the same
   list SQL run directly with psycopg as the application role (target: within 2x), and
   against every statement the request sends, run directly; the list SQL as it was before
   the index walk (a semi-join) is measured in the same run.
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
from collections.abc import Callable
from typing import Any

from litestar import Litestar, get
from litestar.testing import TestClient
from sqlalchemy import event
from uuid_utils.compat import uuid7

from bench.common import BenchDatabase, bench_database, median_ms, table
from rapport.app import create_app
from rapport.settings import Settings

FILTER = "custom.shoe_size:eq:42"
# The list SQL before the index walk (issue 4), for a same-run comparison: the filter as a
# semi-join, which fetches every matching contact and sorts them by id to keep a page.
SEMI_JOIN = """
SELECT contacts.* FROM contacts
WHERE contacts.tenant_id = %(tenant)s AND contacts.id IN (
    SELECT record_id FROM field_values
    WHERE tenant_id = %(tenant)s AND entity = 'contact' AND full_key = 'custom.shoe_size'
      AND number_value = 42.0)
  AND rapport_try_numeric(contacts.fields ->> 'custom.shoe_size') = 42
ORDER BY contacts.id DESC LIMIT 51
"""
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


def _minimal_endpoint(body: Any, runs: int) -> float:
    """The floor under any request: the framework and test transport serving the same page
    of JSON with no auth, no database."""

    @get("/page", sync_to_thread=False)
    def page() -> Any:
        return body

    with TestClient(Litestar([page])) as client:
        return median_ms(lambda: client.get("/page").raise_for_status(), runs=runs)


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
                captured.append((statement, params))

            def request() -> None:
                resp = client.get("/api/v1/contacts", params={"filter": FILTER, "limit": 50},
                                  headers=headers)
                assert resp.status_code == 200 and resp.json()["items"], resp.text

            body = client.get("/api/v1/contacts", params={"filter": FILTER, "limit": 50},
                              headers=headers).json()
            event.listen(app.state.engine.sync_engine, "before_cursor_execute", capture)
            request()
            event.remove(app.state.engine.sync_engine, "before_cursor_execute", capture)
            [(statement, params)] = [
                (s, p) for s, p in captured if "FROM contacts" in s and "ORDER BY" in s
            ]
            raw_conn = db.app()

            def in_tenant(*statements: tuple[str, Any]) -> Callable[[], None]:
                def run_them() -> None:
                    with raw_conn.transaction():
                        raw_conn.execute("SELECT set_config('rapport.tenant_id', %s, true)",
                                         (str(tenant_id),))
                        for sql, values in statements:
                            raw_conn.execute(sql, values).fetchall()
                return run_them

            raw = in_tenant((statement, params))
            every = in_tenant(*captured)  # auth, field definitions, the page's emails, phones…
            before = in_tenant((SEMI_JOIN, {"tenant": tenant_id}))
            with raw_conn.transaction():
                raw_conn.execute("SELECT set_config('rapport.tenant_id', %s, true)",
                                 (str(tenant_id),))
                plan = raw_conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement,
                                        params).fetchall()
            plan_text = "\n".join(row[0] for row in plan)
            figures = {}
            figures["before"] = median_ms(before, runs=runs)
            figures["raw"] = median_ms(raw, runs=runs)
            figures["every"] = median_ms(every, runs=runs)
            figures["alone"] = median_ms(request, runs=runs)
            figures["minimal"] = _minimal_endpoint(body, runs)
            _other_tenants(db, tenants, per_tenant)
            _analyze(db)
            figures["crowded"] = median_ms(request, runs=runs)
            figures["raw_crowded"] = median_ms(raw, runs=runs)
            raw_conn.close()
    f = figures
    return "\n".join([
        f"tenant: {contacts:,} contacts (loaded in {load_s:.1f} s incl. field index triggers); "
        f"filter `{FILTER}` (~1% match), page of 50; {runs} runs, median; "
        f"the request sent {len(captured)} statements",
        "",
        table([
            ("list SQL as before: semi-join, sort every match (psycopg, app role)",
             f"{f['before']:.2f} ms", f"{f['before'] / f['raw']:.2f}"),
            ("list SQL run directly (psycopg, app role)", f"{f['raw']:.2f} ms", "1.00"),
            ("every statement of the request run directly", f"{f['every']:.2f} ms",
             f"{f['every'] / f['raw']:.2f}"),
            ("GET /api/v1/contacts?filter=… through the app", f"{f['alone']:.2f} ms",
             f"{f['alone'] / f['raw']:.2f} ({f['alone'] / f['every']:.2f} vs every statement)"),
            ("minimal Litestar endpoint returning the same JSON (same test client)",
             f"{f['minimal']:.2f} ms", f"{f['minimal'] / f['raw']:.2f}"),
            (f"same request, + {tenants:,} tenants x {per_tenant:,} contacts",
             f"{f['crowded']:.2f} ms", f"{f['crowded'] / f['alone']:.2f} (vs alone)"),
            ("list SQL directly, crowded", f"{f['raw_crowded']:.2f} ms",
             f"{f['raw_crowded'] / f['raw']:.2f} (vs alone)"),
        ]),
        "",
        "plan of the list SQL (tenant alone):",
        "",
        "```",
        plan_text,
        "```",
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
