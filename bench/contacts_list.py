"""A list request filtered on an indexed custom field, on a tenant holding 1M contacts.

1. Through the ASGI app (auth, tenant session, filter parsing, rendering) against the same
   list SQL run directly with psycopg as the application role (target: within 2x), and
   against every statement the request sends, run directly; the list SQL as it was before
   the index walk (a semi-join) is measured in the same run.
3. ``q=`` ranked by relevance (the endpoint without ``sort``) against the unranked search
   SQL of before (newest first), on the same tenant, for a broad and a narrow query.
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
from sqlalchemy.dialects import postgresql
from uuid_utils.compat import uuid7

from bench.common import BenchDatabase, bench_database, median_ms, table
from rapport.app import create_app
from rapport.core.contacts.listing import list_statement
from rapport.core.contacts.search.query import SearchPlan, TokenMatch
from rapport.core.contacts.search.terms import tokens
from rapport.settings import Settings

FILTER = "custom.shoe_size:eq:42"
# Family names repeat every 5,000 contacts: family42 is 1 in 5,000 exactly, and prefixes
# family420…429 and family4200…4299 (~2% of a 1M tenant); given42424 is one contact
# exactly and given424240…424249 by prefix. Two words are ranked by one summing query.
SEARCHES = (
    ("family42", "~22,000 matches"),
    ("given42424", "11 matches"),
    ("given4 family42", "two words, each broad"),
)
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


def _search_terms(db: BenchDatabase, tenant_id: uuid.UUID) -> None:
    """The terms the app would have written for the COPY-loaded names (no vocabulary: the
    queries below need none, and a typo look-up then finds no spelling)."""
    with db.superuser() as conn:
        conn.execute(
            "INSERT INTO contact_search_terms (tenant_id, id, term) "
            "SELECT tenant_id, id, lower(given_name) FROM contacts WHERE tenant_id = %(t)s "
            "UNION SELECT tenant_id, id, lower(family_name) FROM contacts "
            "WHERE tenant_id = %(t)s AND family_name IS NOT NULL",
            {"t": tenant_id},
        )
        conn.execute("ANALYZE contact_search_terms")


def _search_rows(
    db: BenchDatabase, client: TestClient, headers: dict[str, str], tenant_id: uuid.UUID,
    runs: int,
) -> list[tuple[str, str, str]]:
    """Ranked ``q`` (the endpoint) against the unranked id-ordered search SQL of before."""
    _search_terms(db, tenant_id)
    rows = []
    raw_conn = db.app()
    engine = client.app.state.engine.sync_engine

    def in_tenant(statements: list[tuple[str, Any]]) -> Callable[[], None]:
        def run_them() -> None:
            with raw_conn.transaction():
                raw_conn.execute("SELECT set_config('rapport.tenant_id', %s, true)",
                                 (str(tenant_id),))
                for sql, values in statements:
                    raw_conn.execute(sql, values).fetchall()
        return run_them

    for q, what in SEARCHES:
        plan = SearchPlan(tuple(TokenMatch(token) for token in tokens(q)))
        compiled = list_statement(tenant_id, [], search_plan=plan)[0].compile(
            dialect=postgresql.psycopg.dialect(), compile_kwargs={"render_postcompile": True}
        )
        unranked = median_ms(in_tenant([(str(compiled), dict(compiled.params))]), runs=runs)

        def request(q: str = q) -> None:
            resp = client.get("/api/v1/contacts", params={"q": q, "limit": 50}, headers=headers)
            assert resp.status_code == 200 and resp.json()["items"], resp.text

        captured: list[tuple[str, Any]] = []

        def capture(
            conn: Any, cursor: Any, statement: str, params: Any, *_: Any,
            seen: list[tuple[str, Any]] = captured,
        ) -> None:
            if "contact_search" in statement:  # spelling look-ups and the ranked page
                seen.append((statement, params))

        event.listen(engine, "before_cursor_execute", capture)
        request()
        event.remove(engine, "before_cursor_execute", capture)
        ranked = median_ms(in_tenant(captured), runs=runs)
        through_app = median_ms(request, runs=runs)
        rows += [
            (f"`q={q}` ({what}): unranked SQL, newest first (before)",
             f"{unranked:.2f} ms", "1.00"),
            (f"`q={q}`: the ranked request's search SQL ({len(captured)} statements)",
             f"{ranked:.2f} ms", f"{ranked / unranked:.2f}"),
            (f"`GET /api/v1/contacts?q={q}` through the app (ranked)", f"{through_app:.2f} ms",
             f"{through_app / ranked:.2f} vs its search SQL"),
        ]
    raw_conn.close()
    return rows


def _analyze(db: BenchDatabase) -> None:
    with db.superuser() as conn:
        conn.execute("ANALYZE")


def run(contacts: int, tenants: int, per_tenant: int, runs: int, search: bool = True) -> str:
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
            searched = _search_rows(db, client, headers, tenant_id, runs) if search else []
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
        *([f"search on the same tenant ({contacts:,} contacts, terms for their names):", "",
           table(searched), ""] if searched else []),
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
    parser.add_argument("--no-search", action="store_true", help="skip the q= measurements")
    args = parser.parse_args()
    print(run(args.contacts, args.tenants, args.per_tenant, args.runs, not args.no_search))


if __name__ == "__main__":
    main()
