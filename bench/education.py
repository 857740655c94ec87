"""The "already taught" check (``GET /api/v1/education/learners/{id}/recommendations``) for
a learner with 40 years of history, through the ASGI app, against the same statements run
directly with psycopg, in one run — on an institution with few other learners and on one
with many.

A private embedded PostgreSQL is started and deleted afterwards. Each institution, its
learner and the target programme are made through the API; the catalogue (5,000 courses
teaching 4 outcomes each), the learner's 300 completions and 2,000 held outcomes, and the
other learners (each with 5 held outcomes) are bulk-loaded with ``INSERT … SELECT`` as the
owner role in the tenant's context (row-level security checks every row). Requests and
their baseline run interleaved after a warm-up; medians are reported with two ratios: app /
psycopg (target ≤ 2) and many / few other learners through the app (target ≤ 1.2).

    python -m bench.education                       # 100 vs 100,000 other learners
    python -m bench.education --learners 1000000    # the issue's full size
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
from rapport_plugins.education.record import PREAMBLE_SQL, check_statement

WARMUP = 20
ROUNDS = 200
FEW = 100
COURSES = 5_000
OUTCOMES = 2_500
HELD = 2_000
COMPLETIONS = 300
PROGRAM = 60


def _psycopg(sql: str) -> str:
    """The service's SQLAlchemy ``:name`` parameters as psycopg's ``%(name)s``."""
    for name in ("tenant", "learner", "target"):
        sql = sql.replace(f":{name}", f"%({name})s")
    return sql


# What the endpoint sends, in order (plugins/education/record.py): the preamble (the
# learner, the programme, the settings) and the check with its prerequisites.
STATEMENTS = (
    _psycopg(PREAMBLE_SQL).replace(":program", "%(target)s"),
    _psycopg(check_statement("program")),
)


@dataclass
class Institution:
    tenant_id: str
    user_id: str
    learner_id: str
    contact_id: str
    program_id: str
    headers: dict[str, str]


async def make_institution(client: AsyncTestClient[Any]) -> Institution:
    signed, h = await tenant_with_module(client, "Bench university", "education")
    contact = await api(client, "POST", "/api/v1/contacts", headers=h,
                         json={"given_name": "Taras", "family_name": "Alumnus"})
    learner = await api(client, "POST", "/api/v1/education/learners", headers=h,
                         json={"contact_id": contact["id"], "student_number": "S-1984"})
    return Institution(signed["tenant"]["id"], signed["user"]["id"], learner["id"],
                       contact["id"], "", h)


def load(server: Server, inst: Institution, others: int) -> list[str]:
    """The catalogue, the learner's history and ``others`` learners; the programme's
    courses (half of them already completed)."""
    p = {"t": inst.tenant_id, "l": inst.learner_id}
    with psycopg.connect(libpq_url(server.owner_url)) as conn:
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (inst.tenant_id,))
        conn.execute(
            "INSERT INTO education_outcomes (tenant_id, id, code, title)"
            " SELECT %(t)s, uuidv7(), 'O' || lpad(g::text, 5, '0'), 'Outcome ' || g"
            " FROM generate_series(1, %(n)s) g", {**p, "n": OUTCOMES})
        conn.execute(
            "INSERT INTO education_courses (tenant_id, id, code, title, credits, credit_unit,"
            " level, language, published_at) SELECT %(t)s, uuidv7(), 'C' || lpad(g::text, 5,"
            " '0'), 'Course ' || g, 5, 'ects', 6, 'uk', now() FROM generate_series(1, %(n)s) g",
            {**p, "n": COURSES})
        conn.execute(
            "INSERT INTO education_course_outcomes (tenant_id, id, course_id, outcome_id, level)"
            " SELECT c.tenant_id, uuidv7(), c.id, o.id, 1 + (k %% 4) FROM"
            " (SELECT id, tenant_id, row_number() OVER (ORDER BY code) n FROM education_courses"
            "  WHERE tenant_id = %(t)s) c CROSS JOIN generate_series(0, 3) k"
            " JOIN (SELECT id, row_number() OVER (ORDER BY code) n FROM education_outcomes"
            "  WHERE tenant_id = %(t)s) o ON o.n = 1 + ((c.n * 7 + k * 613) %% %(o)s)",
            {**p, "o": OUTCOMES})
        conn.execute(
            "INSERT INTO education_enrolments (tenant_id, id, learner_id, course_id, term,"
            " attempt, status, grade, completed_on) SELECT %(t)s, uuidv7(), %(l)s, id,"
            " (1985 + n / 8)::text, 1, 'completed', 'B', make_date(1985 + (n / 8)::int, 6, 30)"
            " FROM (SELECT id, row_number() OVER (ORDER BY code) n FROM education_courses"
            "  WHERE tenant_id = %(t)s ORDER BY code LIMIT %(c)s) s", {**p, "c": COMPLETIONS})
        conn.execute(
            "INSERT INTO education_holdings (tenant_id, id, learner_id, outcome_id, level,"
            " source, achieved_on) SELECT %(t)s, uuidv7(), %(l)s, id, 3, 'course',"
            " date '1990-06-30' FROM education_outcomes WHERE tenant_id = %(t)s"
            " ORDER BY code LIMIT %(h)s", {**p, "h": HELD})
        conn.execute(
            "INSERT INTO contacts (tenant_id, id, given_name, family_name, display_name)"
            " SELECT %(t)s, uuidv7(), 'Learner' || g, 'Bulk', 'Learner' || g || ' Bulk'"
            " FROM generate_series(1, %(n)s) g", {**p, "n": others})
        conn.execute(
            "INSERT INTO education_learners (tenant_id, id, contact_id, student_number)"
            " SELECT tenant_id, uuidv7(), id, 'B-' || id FROM contacts"
            " WHERE tenant_id = %(t)s AND family_name = 'Bulk'", p)
        conn.execute(
            "INSERT INTO education_holdings (tenant_id, id, learner_id, outcome_id, level,"
            " source, achieved_on) SELECT l.tenant_id, uuidv7(), l.id, o.id, 2, 'course',"
            " date '2000-01-01' FROM education_learners l CROSS JOIN LATERAL (SELECT id FROM"
            " education_outcomes WHERE tenant_id = %(t)s ORDER BY code LIMIT 5) o"
            " WHERE l.tenant_id = %(t)s AND l.id <> %(l)s", p)
        courses = [str(r[0]) for r in conn.execute(
            "(SELECT id FROM education_courses WHERE tenant_id = %(t)s ORDER BY code"
            "  LIMIT %(h)s) UNION ALL (SELECT id FROM education_courses WHERE tenant_id = %(t)s"
            "  ORDER BY code DESC LIMIT %(h)s)", {**p, "h": PROGRAM // 2})]
        conn.commit()
        conn.autocommit = True
        for table in ("contacts", "education_learners", "education_holdings",
                      "education_courses", "education_course_outcomes", "education_enrolments",
                      "education_outcomes"):
            conn.execute(f"ANALYZE {table}")
    return courses


async def measure(server: Server, others: int) -> dict[str, float]:
    settings = Settings(secret_key=secrets.token_urlsafe(48), base_url="http://testserver",
                        log_json=True, login_slowdown_seconds=0.01, data_dir=server.data_dir)
    app = create_app(settings, server.app_url)
    async with AsyncTestClient(app=app) as client:
        many, few = await make_institution(client), await make_institution(client)
        for inst, count in ((many, others), (few, FEW)):
            courses = load(server, inst, count)
            program = await api(client, "POST", "/api/v1/education/programs",
                                 headers=inst.headers, json={
                                     "code": "RETURN", "title": "Returning", "courses": courses})
            inst.program_id = program["id"]
        # As the app's engine connects: no server-side prepared statements.
        direct = await psycopg.AsyncConnection.connect(libpq_url(server.app_url),
                                                       prepare_threshold=None)
        params = {"tenant": uuid.UUID(many.tenant_id), "learner": uuid.UUID(many.learner_id),
                  "target": uuid.UUID(many.program_id)}

        def via_app(inst: Institution) -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                r = await client.get(
                    f"/api/v1/education/learners/{inst.learner_id}/recommendations",
                    params={"program": inst.program_id}, headers=inst.headers)
                if r.status_code != 200:
                    raise RuntimeError(r.text)
                r.json()
            return run

        async def via_sql() -> None:
            async with direct.transaction():
                await direct.execute("SELECT set_config('rapport.tenant_id', %s, true),"
                                     " set_config('rapport.user_id', %s, true)",
                                     (many.tenant_id, many.user_id))
                for sql in STATEMENTS:
                    await (await direct.execute(sql, params)).fetchall()

        times: dict[str, list[float]] = {"app_many": [], "app_few": [], "sql_many": []}
        try:
            for n in range(WARMUP + ROUNDS):
                row = (await timed_ms(via_app(many)), await timed_ms(via_app(few)),
                       await timed_ms(via_sql))
                if n >= WARMUP:
                    for key, value in zip(times, row, strict=True):
                        times[key].append(value)
        finally:
            await direct.close()
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000,
                        help="other learners in the large institution")
    args = parser.parse_args()
    with (open(os.devnull, "w") as sink, contextlib.redirect_stderr(sink),
          contextlib.redirect_stdout(sink), private_server() as server):
        m = asyncio.run(measure(server, args.learners))
    print(f"recommendations; learner with {COMPLETIONS} completions and {HELD:,} outcomes held,"
          f" {COURSES:,}-course catalogue, {PROGRAM}-course programme; {args.learners:,} vs"
          f" {FEW} other learners; {ROUNDS} requests each, median")
    print("| case | median |")
    print("| --- | ---: |")
    print(f"| app, {args.learners:,} other learners | {m['app_many']:.2f} ms |")
    print(f"| app, {FEW} other learners | {m['app_few']:.2f} ms |")
    print(f"| same statements, psycopg | {m['sql_many']:.2f} ms |")
    print(f"app / psycopg: {m['app_many'] / m['sql_many']:.2f} (target <= 2);"
          f" many / few: {m['app_many'] / m['app_few']:.2f} (target <= 1.2)")


if __name__ == "__main__":
    main()
