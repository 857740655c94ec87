"""Duplicate check, merge and timeline on a contact with 10,000 interactions.

Target (issue 4): each under 100 ms median on this machine, through the app. The run also
measures ``GET /api/v1/me`` (the floor of any authenticated request) as the baseline.

- duplicate check: creating a contact whose email exists answers 409 with candidates;
- merge into: a fresh duplicate merged into the 10,000-interaction contact;
- merge away: the 10,000-interaction contact merged into a fresh one (its rows move);
- timeline: the first page of the 10,000-interaction contact's timeline;
- the floor under "merge away": the UPDATE of its rows alone, run directly as the app role,
  plainly and through ``rapport_move_contact_rows`` (each rolled back).

Run: ``python -m bench.contact_ops [--interactions N] [--contacts N] [--runs N]``.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

from litestar.testing import TestClient
from uuid_utils.compat import uuid7

from bench.common import BenchDatabase, bench_database, median_ms, table
from rapport.app import create_app
from rapport.settings import Settings

KINDS = ("call", "email", "meeting", "visit", "message", "note")


def _interactions(
    db: BenchDatabase, tenant_id: uuid.UUID, contact_id: str, member_id: str, count: int
) -> None:
    rng = random.Random(3)
    start = datetime.now(UTC) - timedelta(days=3650)
    with db.superuser() as conn, conn.cursor() as cur, cur.copy(
        "COPY interactions (tenant_id, id, contact_id, kind, occurred_at, member_id, subject,"
        " created_by) FROM STDIN"
    ) as cp:
        for i in range(count):
            when = start + timedelta(minutes=rng.randint(0, 5_000_000))
            cp.write_row((tenant_id, uuid7(), contact_id, rng.choice(KINDS), when, member_id,
                          f"Touch {i}", member_id))
    with db.superuser() as conn:
        conn.execute("ANALYZE interactions")


def _others(db: BenchDatabase, tenant_id: uuid.UUID, count: int) -> None:
    with db.superuser() as conn, conn.cursor() as cur, cur.copy(
        "COPY contacts (tenant_id, id, given_name, family_name, display_name) FROM STDIN"
    ) as cp:
        for i in range(count):
            cp.write_row((tenant_id, uuid7(), f"Given{i}", f"Family{i}", f"Given{i} Family{i}"))
    with db.superuser() as conn:
        conn.execute("ANALYZE")


def run(interactions: int, contacts: int, runs: int) -> str:
    settings = Settings(secret_key="bench-" + "x" * 40, login_slowdown_seconds=0.0,
                        log_json=True, login_address_lockout_after=10**9)
    with bench_database() as db, TestClient(create_app(settings, db.app_url)) as client:
        client.post("/api/v1/signup", json={
            "organization": {"name": "Bench", "slug": "bench"},
            "admin": {"email": "b@bench.example.com", "password": "bench password 1",
                      "full_name": "Bench"}})
        token = client.post("/api/v1/auth/login", json={
            "tenant": "bench", "email": "b@bench.example.com",
            "password": "bench password 1"}).json()["access_token"]
        client.cookies.clear()
        h = {"Authorization": f"Bearer {token}"}
        me = client.get("/api/v1/me", headers=h).json()
        tenant_id, member_id = uuid.UUID(me["tenant"]["id"]), me["user"]["id"]
        _others(db, tenant_id, contacts)

        def busy_contact(n: int) -> str:
            r = client.post("/api/v1/contacts?allow_duplicate=true", headers=h, json={
                "given_name": "Taras", "family_name": f"Busy{n}",
                "email": f"busy{n}@example.com", "birthday": "1980-05-17"})
            assert r.status_code == 201, r.text
            _interactions(db, tenant_id, r.json()["id"], member_id, interactions)
            return str(r.json()["id"])

        def fresh(n: int) -> str:
            r = client.post("/api/v1/contacts?allow_duplicate=true", headers=h, json={
                "given_name": "Fresh", "family_name": f"One{n}-{uuid.uuid4().hex[:6]}"})
            assert r.status_code == 201, r.text
            return str(r.json()["id"])

        busy = busy_contact(0)
        floor = median_ms(lambda: client.get("/api/v1/me", headers=h), runs=runs)

        def duplicate() -> None:
            r = client.post("/api/v1/contacts", headers=h, json={
                "given_name": "Other", "email": "busy0@example.com"})
            assert r.status_code == 409 and r.json()["candidates"], r.text

        dup = median_ms(duplicate, runs=runs)
        timeline = median_ms(
            lambda: client.get(f"/api/v1/contacts/{busy}/timeline?limit=50", headers=h),
            runs=runs)

        into: list[float] = []
        for n in range(runs):
            other = fresh(n)
            start = time.perf_counter()
            r = client.post(f"/api/v1/contacts/{busy}/merge", headers=h,
                            json={"other_id": other})
            into.append((time.perf_counter() - start) * 1000)
            assert r.status_code == 200, r.text

        # The floor under "merge away": moving the 10,000 rows alone, as the app role in
        # the tenant, with the plain UPDATE (a foreign-key check per row) and through
        # rapport_move_contact_rows (one check); each on a fresh busy contact, rolled back.
        plain: list[float] = []
        moved: list[float] = []
        with db.app() as conn:
            for n in range(max(3, runs // 5)):
                for k, (sql, out) in enumerate((
                    ("UPDATE interactions SET contact_id = %(s)s "
                     "WHERE tenant_id = %(t)s AND contact_id = %(o)s", plain),
                    ("SELECT rapport_move_contact_rows('interactions', 'tenant_id', "
                     "'contact_id', %(s)s, %(o)s)", moved),
                )):
                    number = 100 + 2 * n + k
                    values = {"t": tenant_id, "o": busy_contact(number), "s": fresh(number)}
                    with conn.transaction(force_rollback=True):
                        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)",
                                     (str(tenant_id),))
                        start = time.perf_counter()
                        conn.execute(sql, values)
                        out.append((time.perf_counter() - start) * 1000)

        away: list[float] = []
        for n in range(max(3, runs // 5)):
            moving = busy_contact(n + 1)
            survivor = fresh(10_000 + n)
            start = time.perf_counter()
            r = client.post(f"/api/v1/contacts/{survivor}/merge", headers=h,
                            json={"other_id": moving})
            away.append((time.perf_counter() - start) * 1000)
            assert r.status_code == 200, r.text

    def med(xs: list[float]) -> float:
        return sorted(xs)[len(xs) // 2]

    rows = [
        ("GET /api/v1/me (baseline: any authenticated request)", f"{floor:.2f} ms", "1.0"),
        ("duplicate check (409 with candidates)", f"{dup:.2f} ms", f"{dup / floor:.1f}"),
        ("timeline, first page", f"{timeline:.2f} ms", f"{timeline / floor:.1f}"),
        ("merge a fresh duplicate into it", f"{med(into):.2f} ms", f"{med(into) / floor:.1f}"),
        (f"merge it away ({interactions:,} interactions move)", f"{med(away):.2f} ms",
         f"{med(away) / floor:.1f}"),
        (f"… floor: the {interactions:,}-row UPDATE alone (FK check per row), psycopg",
         f"{med(plain):.2f} ms", f"{med(plain) / floor:.1f}"),
        ("… floor: the same move through rapport_move_contact_rows (one check)",
         f"{med(moved):.2f} ms", f"{med(moved) / floor:.1f}"),
    ]
    return (f"contact with {interactions:,} interactions in a tenant of {contacts:,} contacts;"
            f" {runs} runs, median\n\n" + table(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interactions", type=int, default=10_000)
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(run(args.interactions, args.contacts, args.runs))


if __name__ == "__main__":
    main()
