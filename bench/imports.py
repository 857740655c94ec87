"""Importing contacts from CSV against a raw ``COPY`` of the same file, in one run.

A CSV of N contacts (external_id, given_name, family_name, email, phones, birthday, tags
and one custom field) is generated in a temporary directory. Then, on a private embedded
PostgreSQL:

(a) baseline: ``COPY … FROM STDIN (FORMAT csv, HEADER)`` of the file into a bare *logged*
    table with the same columns (text, a date for the birthday; no keys, no indexes), with
    psycopg as the owner role;
(b) ``rapport import contacts`` of the same file into an empty tenant, through the CLI's
    code path in this process (``run_cli_import``: validate every row, stage with COPY,
    write set-based batches with their checkpoints, audit entries and events);
(c) the floor of the schema (issue 12's measure): every table the import writes — contacts,
    emails, phones, tags, facts, search terms and the vocabulary — with one set-based
    ``INSERT … SELECT`` each from a temporary table holding the file and what Python
    derives from it, as the app role under forced RLS in a second tenant.

Rows per second of each, the import against the floor (target: at least 0.6), and where
the import's and the floor's time went. With ``--rounds N`` the import and the floor run
N times, back to back, each round into fresh tenants, and the median ratio is reported
with each round's and the load average at its start (the machine is shared: a single
round says little).

Run: ``python -m bench.imports [--rows N] [--rounds N] [--workers N] [--batch-size N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import select

from bench.common import BenchDatabase, bench_database, table
from rapport.core.contacts import preferences
from rapport.core.contacts.search import terms as search_terms
from rapport.core.facts import VALUE_SET
from rapport.core.fields.service import create_field
from rapport.core.imports import timing
from rapport.core.imports.cli import DEFAULT_WRITERS, default_workers, run_cli_import
from rapport.core.imports.runner import DEFAULT_BATCH, ImportOptions
from rapport.db.session import make_engine, make_sessionmaker, tenant_session
from rapport.db.urls import libpq_url
from rapport.tenancy.models import Membership
from rapport.tenancy.principal import Principal
from rapport.tenancy.signup import sign_up

HEADER = ["external_id", "given_name", "family_name", "email", "phones", "birthday", "tags",
          "fields.custom.shoe_size"]
GIVEN = ["Olena", "Taras", "Iryna", "Andrii", "Oksana", "Dmytro", "Natalia", "Serhii",
         "Maria", "Oleh", "Anna", "Yurii", "Kateryna", "Bohdan", "Sofia", "Mykola", "Zoë",
         "Liam", "Emma", "Noah", "Olivia", "James", "Ava", "Lucas", "Mia", "Ethan"]
SYLLABLES = ["ko", "va", "len", "shev", "chen", "bon", "dar", "pet", "ren", "lys", "tem",
             "gor", "mel", "nyk", "sav", "zar", "hrin", "tur", "ban", "dol"]
TAGS = ["vip", "newsletter", "wholesale", "retail", "partner", "lead", "churn-risk"]
SLUG = "bench-import"


def family_names(count: int, rng: random.Random) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
        names.add(stem.title() + rng.choice(["enko", "uk", "sky", "son", "er", ""]))
    return sorted(names)


def write_csv(path: Path, rows: int) -> None:
    """Distinct keys, addresses and numbers; names drawn from small vocabularies, as in a
    real customer base."""
    rng = random.Random(42)
    families = family_names(5_000, rng)
    start = date(1950, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for i in range(rows):
            given, family = rng.choice(GIVEN), rng.choice(families)
            phones = f"+38067{i % 10_000_000:07d}"
            if i % 5 == 0:
                phones += f";050 {i % 10_000_000:07d}"  # national form, the tenant's region
            tags = ";".join(rng.sample(TAGS, rng.randint(0, 2)))
            birthday = (start + timedelta(days=rng.randint(0, 20_000))).isoformat()
            out.writerow([f"crm-{i}", given, family, f"{given}.{family}.{i}@mail{i % 97}.example",
                          phones, birthday, tags, str(rng.randint(35, 47))])


async def make_tenant(db: BenchDatabase, slug: str = SLUG) -> None:
    """A tenant with an owner, the custom field the file fills, and phone region UA."""
    engine = make_engine(db.app_url, pool_size=1)
    try:
        maker = make_sessionmaker(engine)
        async with tenant_session(maker, None) as session:
            made = await sign_up(session, org_name="Bench import", slug=slug,
                                 email=f"owner@{slug}.example", password="bench password 1",
                                 full_name="Bench Owner", base_url="http://127.0.0.1",
                                 invitation_ttl=3600, verification_ttl=3600)
            tenant, user = made.tenant, made.user
        async with tenant_session(maker, tenant.id, user.id) as session:
            member = (await session.execute(select(Membership).where(
                Membership.tenant_id == tenant.id, Membership.user_id == user.id))).scalar_one()
        actor = Principal.member(user, tenant, member)
        async with tenant_session(maker, tenant.id, user.id) as session:
            await create_field(session, actor, {"key": "shoe_size", "entity": "contact",
                                                "type": "integer", "label": "Shoe size"})
            await preferences.save(session, actor, "UA", "uk")
    finally:
        await engine.dispose()


def raw_copy(db: BenchDatabase, path: Path) -> float:
    """Seconds to COPY the file into a bare logged table, as the owner role."""
    with psycopg.connect(libpq_url(db.owner_url), autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy")
        conn.execute(
            "CREATE TABLE bench_copy (external_id text, given_name text, family_name text, "
            "email text, phones text, birthday date, tags text, shoe_size text)"
        )
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur, cur.copy(
            "COPY bench_copy FROM STDIN (FORMAT csv, HEADER true)"
        ) as copy, path.open("rb") as f:
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        conn.execute("DROP TABLE bench_copy")
    return elapsed


FLOOR_SLUG = "bench-floor"
# The floor: every row the import writes for a new contact — the contact, its email, phones
# and tags, one fact (the set of values it brought), its search terms and the vocabulary's
# new words with their one-letter-deleted variants — as one set-based INSERT per table from
# a temporary table that already holds the file with what Python derives (E.164 numbers,
# address keys, search terms: computed before the clock starts, by the search index's own
# functions), as the app role under forced RLS, in one transaction. No checks, no
# duplicate matching, no audit, events or checkpoints.
FLOOR_TABLE = """
CREATE TEMPORARY TABLE bench_floor (
    n int, id uuid DEFAULT uuidv7(), external_id text, given_name text, family_name text,
    email text, address_key text, phones text[], birthday date, tags text[], shoe_size int,
    display_name text, terms text[], words text[])
"""
FLOOR_STATEMENTS = (
    ("contacts", """
INSERT INTO contacts (tenant_id, id, external_id, given_name, family_name, display_name,
                      email, birthday, fields, created_by)
SELECT %(tenant)s, f.id, f.external_id, f.given_name, f.family_name, f.display_name,
       f.email, f.birthday, jsonb_build_object('custom.shoe_size', f.shoe_size), %(user)s
FROM bench_floor f ORDER BY f.n
"""),
    ("emails", """
INSERT INTO contact_emails (tenant_id, id, contact_id, address, address_key, is_primary)
SELECT %(tenant)s, uuidv7(), f.id, f.email, f.address_key, true FROM bench_floor f ORDER BY f.n
"""),
    ("phones", """
INSERT INTO contact_phones (tenant_id, id, contact_id, number, is_primary)
SELECT %(tenant)s, uuidv7(), f.id, p.number, p.ord = 1
FROM bench_floor f CROSS JOIN LATERAL unnest(f.phones) WITH ORDINALITY p(number, ord)
ORDER BY f.n, p.ord
"""),
    ("tags", """
INSERT INTO contact_tags (tenant_id, id, contact_id, tag)
SELECT %(tenant)s, uuidv7(), f.id, g.tag FROM bench_floor f CROSS JOIN LATERAL unnest(f.tags) g(tag)
"""),
    ("facts", """
INSERT INTO contact_facts (tenant_id, id, contact_id, field, value, channel, source,
                           recorded_by)
SELECT %(tenant)s, uuidv7(), f.id, %(value_set)s,
       jsonb_strip_nulls(jsonb_build_object(
           'external_id', f.external_id, 'given_name', f.given_name,
           'family_name', f.family_name, 'email', f.email, 'phones', to_jsonb(f.phones),
           'birthday', f.birthday, 'tags', to_jsonb(f.tags),
           'fields.custom.shoe_size', f.shoe_size)),
       'import', 'bench floor', %(user)s
FROM bench_floor f ORDER BY f.n
"""),
    ("search terms", """
INSERT INTO contact_search_terms (tenant_id, id, term)
SELECT %(tenant)s, f.id, s.term FROM bench_floor f CROSS JOIN LATERAL unnest(f.terms) s(term)
"""),
    ("vocabulary", """
WITH words AS (
    SELECT DISTINCT w.word FROM bench_floor f CROSS JOIN LATERAL unnest(f.words) w(word)
), added AS (
    INSERT INTO contact_search_words (tenant_id, id, word)
    SELECT %(tenant)s, uuidv7(), words.word FROM words
    ON CONFLICT (tenant_id, word) DO NOTHING
    RETURNING id, word
)
INSERT INTO contact_search_variants (tenant_id, variant, id)
SELECT DISTINCT %(tenant)s, x.variant, added.id
FROM added CROSS JOIN LATERAL (
    SELECT added.word
    UNION
    SELECT left(added.word, i - 1) || substr(added.word, i + 1)
    FROM generate_series(1, length(added.word)) i
) x(variant)
ON CONFLICT DO NOTHING
"""),
)


def _e164(raw: str) -> tuple[str, str]:
    """The file's two phone forms (``+380…`` and the national ``050 …``) as E.164 and the
    national number, as the import's parser gives them for this file."""
    digits = "".join(ch for ch in raw if ch.isdigit())
    if raw.startswith("+"):
        return "+" + digits, digits[3:]
    return "+380" + digits[1:], digits[1:]


def floor_rows(path: Path) -> Iterator[tuple[object, ...]]:
    """The file's rows with what the import derives in Python, for the floor's COPY."""
    with path.open(newline="", encoding="utf-8") as f:
        for n, row in enumerate(csv.DictReader(f), 1):
            key = row["email"].lower()
            phones = [_e164(p) for p in row["phones"].split(";") if p]
            found = search_terms.contact_terms(
                [row["given_name"], None, row["family_name"], None], [key], (), ())
            for number, national in phones:
                found.update(search_terms.phone_terms(number, national))
            terms = sorted(found - {""})
            yield (n, row["external_id"], row["given_name"], row["family_name"], row["email"],
                   key, [p for p, _ in phones], row["birthday"],
                   [t for t in row["tags"].split(";") if t], int(row["fields.custom.shoe_size"]),
                   f"{row['given_name']} {row['family_name']}", terms,
                   [t for t in terms if search_terms.is_vocabulary_word(t)])


def schema_floor(
    db: BenchDatabase, path: Path, slug: str = FLOOR_SLUG
) -> tuple[float, dict[str, float]]:
    """Seconds of ``FLOOR_STATEMENTS`` (and their commit) as the app role, in a second
    tenant, and each statement's share."""
    with db.superuser() as conn:
        found = conn.execute(
            "SELECT t.id, m.user_id FROM tenants t JOIN memberships m ON m.tenant_id = t.id"
            " WHERE t.slug = %s", (slug,)).fetchone()
    assert found is not None
    tenant, user = found
    with db.app() as conn:
        conn.execute("SELECT set_config('rapport.tenant_id', %s, false)", (str(tenant),))
        conn.execute(FLOOR_TABLE)
        with conn.cursor() as cur, cur.copy(
            "COPY bench_floor (n, external_id, given_name, family_name, email, address_key,"
            " phones, birthday, tags, shoe_size, display_name, terms, words) FROM STDIN"
        ) as copy:
            for row in floor_rows(path):
                copy.write_row(row)
        conn.execute("ANALYZE bench_floor")
        conn.commit()
        steps: dict[str, float] = {}
        started = time.perf_counter()
        conn.execute("SET LOCAL plan_cache_mode = auto")  # as the import's batches do
        for step, statement in FLOOR_STATEMENTS:
            began = time.perf_counter()
            conn.execute(statement, {"tenant": tenant, "user": user, "value_set": VALUE_SET})
            steps[step] = time.perf_counter() - began
        began = time.perf_counter()
        conn.commit()
        steps["commit"] = time.perf_counter() - began
        return time.perf_counter() - started, steps


class Phases:
    """Wall time of each phase the import reports."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}

    def begin(self, phase: str, total: int | None) -> None:
        self.started[phase] = time.perf_counter()

    def advance(self, rows: int) -> None:
        return None


@dataclass
class Round:
    """One import and one floor, back to back."""

    load: float
    import_s: float
    writing_s: float
    floor_s: float
    steps: dict[str, float]
    floor_steps: dict[str, float]
    facts: int
    terms: int

    @property
    def ratio(self) -> float:
        return self.floor_s / self.import_s


def one_round(db: BenchDatabase, path: Path, rows: int, number: int, workers: int,
              writers: int, batch_size: int) -> Round:
    slug, floor_slug = f"{SLUG}-{number}", f"{FLOOR_SLUG}-{number}"
    asyncio.run(make_tenant(db, slug))
    asyncio.run(make_tenant(db, floor_slug))
    load = os.getloadavg()[0]
    phases = Phases()
    started = time.perf_counter()
    with timing.collecting() as steps:
        outcome = asyncio.run(run_cli_import(
            db.app_url, slug, path, ImportOptions(batch_size=batch_size), workers=workers,
            writers=writers, show_progress=False, progress=phases,
        ))
    ended = time.perf_counter()
    floor_s, floor_steps = schema_floor(db, path, floor_slug)
    with db.superuser() as conn:
        stored = conn.execute(
            "SELECT (SELECT count(*) FROM contacts c JOIN tenants t ON t.id = c.tenant_id "
            "WHERE t.slug = %s), (SELECT count(*) FROM contact_facts f JOIN tenants t "
            "ON t.id = f.tenant_id WHERE t.slug = %s), (SELECT count(*) FROM "
            "contact_search_terms s JOIN tenants t ON t.id = s.tenant_id WHERE t.slug = %s)",
            (slug, slug, slug),
        ).fetchone()
    assert stored is not None and stored[0] == rows == outcome.created, (stored, outcome)
    return Round(load, ended - started, ended - phases.started["importing"], floor_s,
                 dict(steps), floor_steps, stored[1], stored[2])


def run(rows: int, workers: int | None, writers: int, batch_size: int, rounds: int = 1) -> str:
    with tempfile.TemporaryDirectory(prefix="rapport-bench-import-") as tmp, \
            bench_database("rapport_bench_import") as db:
        path = Path(tmp) / "contacts.csv"
        write_csv(path, rows)
        size_mb = path.stat().st_size / 1e6
        if workers is None:  # what `rapport import contacts` chooses for this file
            workers = default_workers(path)
        copy_s = raw_copy(db, path)
        done = [one_round(db, path, rows, number, workers, writers, batch_size)
                for number in range(1, rounds + 1)]
    median = statistics.median(r.ratio for r in done)
    last = done[-1]
    import_s, floor_s = last.import_s, last.floor_s
    copy_rate, import_rate, floor_rate = rows / copy_s, rows / import_s, rows / floor_s
    report = [
        f"{rows:,} rows ({size_mb:.0f} MB CSV); import: batches of {batch_size:,}, "
        f"{workers or 'no'} worker processes, {writers} writers; wrote {last.facts:,} facts "
        f"and {last.terms:,} search terms besides the contacts, their emails, phones and tags",
        "",
    ]
    if rounds > 1:
        report += [
            f"{rounds} rounds (import, then floor; fresh tenants each round):",
            "",
            "| round | load average | import (of which checks and staging) | floor | "
            "import / floor |",
            "| --- | ---: | ---: | ---: | ---: |",
            *(f"| {i} | {r.load:.1f} | {r.import_s:.1f} s ({r.import_s - r.writing_s:.1f} s)"
              f" | {r.floor_s:.1f} s | {r.ratio:.2f} |" for i, r in enumerate(done, 1)),
            "",
            f"**Import / floor, median of {rounds}: {median:.2f}** (target: at least 0.6).",
            "",
            "The last round:",
            "",
        ]
    report += [
        table([
            ("raw COPY into a bare logged table (baseline)",
             f"{copy_s:.1f} s, {copy_rate:,.0f} rows/s", "1.00"),
            ("`rapport import contacts`", f"{import_s:.1f} s, {import_rate:,.0f} rows/s",
             f"{import_rate / copy_rate:.3f}"),
            ("… of which: fingerprint, validate, stage, whole-file checks",
             f"{import_s - last.writing_s:.1f} s", ""),
            ("… of which: set-based batches (contacts, emails, phones, tags, facts, terms)",
             f"{last.writing_s:.1f} s", ""),
            ("floor of the schema: every table the import writes, one set-based INSERT"
             " each", f"{floor_s:.1f} s, {floor_rate:,.0f} rows/s",
             f"{floor_rate / copy_rate:.3f}"),
        ]),
        "",
        f"**Import / floor: {import_rate / floor_rate:.2f}** (target: at least 0.6; "
        f"load average {last.load:.1f} at the start).",
        "",
        "The floor's statements:",
        "",
        table([(step, f"{seconds:.1f} s", f"{seconds / floor_s:.0%}")
               for step, seconds in last.floor_steps.items()]),
        "",
        "Time per step (summed over writers; side by side they overlap):",
        "",
        table([(step, f"{seconds:.1f} s", f"{seconds / import_s:.0%}")
               for step, seconds in sorted(last.steps.items(), key=lambda kv: -kv[1])]),
    ]
    return "\n".join(report)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes (default: what the CLI picks for the file)")
    parser.add_argument("--writers", type=int, default=DEFAULT_WRITERS)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    print(run(args.rows, args.workers, args.writers, args.batch_size, args.rounds))


if __name__ == "__main__":
    main()
