"""The floor of the request path, component by component, in one process: what the
baseline (``bench.baseline_app``) costs per request against what Rapport costs, by
deterministic call counts and by CPU (interleaved rounds, so both sides see the same load).

Two parts:

- **the transaction alone**: a request's transaction as Rapport runs it
  (``rapport.db.direct.DriverTransaction``: a parked connection of the engine's lane,
  statements and COMMIT sent on the psycopg driver) and the baseline's (a raw psycopg
  connection from a queue, ``conn.transaction()``), and the baseline's with BEGIN and
  ``set_config`` pipelined into one round trip; each runs ``set_config``, one small read
  and COMMIT.
- **the whole request**: ``GET /api/v1/me`` and ``GET /api/v1/contacts/{id}`` straight into
  each ASGI app (no HTTP), the same seeded tenant (``bench.request_profile.seed``): Python
  calls per request by package, and CPU per request.

    python -m bench.request_floor [--rounds 7] [--count 400] [--top 25]

Not a throughput figure: ``bench.request_path`` measures that over HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import os
import pstats
import secrets
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import psycopg
from litestar.testing import AsyncTestClient
from sqlalchemy import Select, literal_column, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.common import bench_database
from bench.request_profile import asgi_get, seed
from rapport.app import create_app
from rapport.db import direct
from rapport.db.direct import SET_TENANT, DriverTransaction
from rapport.db.session import make_engine
from rapport.db.urls import libpq_url
from rapport.settings import Settings

READ: Select[Any] = select(literal_column("1").label("one"))


async def _timed(work: Callable[[], Awaitable[Any]], count: int) -> float:
    """CPU per call of ``work``, in µs."""
    start = time.process_time()
    for _ in range(count):
        await work()
    return (time.process_time() - start) / count * 1e6


def _by_package(stats: pstats.Stats, calls: int, top: int) -> list[tuple[str, float]]:
    counted: collections.Counter[str] = collections.Counter()
    for (file, _, _), (_, ncalls, *_) in stats.stats.items():  # type: ignore[attr-defined]
        if "site-packages/" in file:
            key = file.split("site-packages/")[-1].split("/")[0]
        elif "/rapport/" in file or "/platform/" in file:
            key = "rapport"
        elif file == "~":
            key = "built-ins"
        else:
            key = "stdlib " + file.rsplit("/", 1)[-1]
        counted[key] += ncalls
    return [(k, v / calls) for k, v in counted.most_common(top)]


def _profiled(
    work: Callable[[], Awaitable[Any]], count: int
) -> Callable[[], Awaitable[pstats.Stats]]:
    async def run() -> pstats.Stats:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(count):
            await work()
        profile.disable()
        return pstats.Stats(profile)

    return run


async def interleaved(sides: Mapping[str, Callable[[], Awaitable[Any]]], rounds: int,
                      count: int) -> dict[str, list[float]]:
    for work in sides.values():  # warm: pools, caches, compiled statements
        for _ in range(50):
            await work()
    got: dict[str, list[float]] = {name: [] for name in sides}
    for r in range(rounds):
        order = list(sides.items())
        for name, work in order if r % 2 == 0 else order[::-1]:
            got[name].append(await _timed(work, count))
    return got


def _report(title: str, got: dict[str, list[float]], base: str) -> None:
    print(f"\n{title} (CPU per call, µs; load average {os.getloadavg()[0]:.1f})\n")
    print("| side | median | best | median / baseline |")
    print("| --- | ---: | ---: | ---: |")
    reference = statistics.median(got[base])
    for name, values in got.items():
        median = statistics.median(values)
        print(f"| {name} | {median:,.0f} | {min(values):,.0f} | {median / reference:.2f} |")


async def transactions(engine: AsyncEngine, dsn: str, args: argparse.Namespace) -> None:
    tenant = uuid.uuid4()
    idle: asyncio.Queue[psycopg.AsyncConnection[Any]] = asyncio.Queue()
    for _ in range(2):
        idle.put_nowait(await psycopg.AsyncConnection.connect(dsn, prepare_threshold=None))

    async def rapport() -> None:
        tx = await DriverTransaction.begin(engine, tenant, tenant)
        await direct.fetch_one(tx, READ, {})
        await tx.end(commit=True)

    async def pipelined() -> None:
        # The baseline with BEGIN and set_config in one round trip (psycopg's pipeline
        # mode): does the saved round trip save CPU?
        conn = await idle.get()
        try:
            async with conn.transaction():
                async with conn.pipeline():
                    await conn.execute(SET_TENANT, {"tenant": str(tenant),
                                                    "user": str(tenant)})
                await (await conn.execute("SELECT 1 AS one")).fetchone()
        finally:
            idle.put_nowait(conn)

    async def baseline() -> None:
        conn = await idle.get()
        try:
            async with conn.transaction():
                await conn.execute(SET_TENANT, {"tenant": str(tenant), "user": str(tenant)})
                await (await conn.execute("SELECT 1 AS one")).fetchone()
        finally:
            idle.put_nowait(conn)

    sides = {"Rapport (DriverTransaction)": rapport, "baseline (raw psycopg)": baseline,
             "baseline, BEGIN + set_config pipelined": pipelined}
    got = await interleaved(sides, args.rounds, args.count)
    _report("The transaction alone: BEGIN, set_config, one read, COMMIT", got,
            "baseline (raw psycopg)")
    for name, work in sides.items():
        stats = await _profiled(work, 200)()
        print(f"\n{name}: {stats.total_calls / 200:,.0f} Python calls"  # type: ignore[attr-defined]
              " per transaction")
    while not idle.empty():
        await idle.get_nowait().close()


async def requests(args: argparse.Namespace) -> None:
    with bench_database("rapport_floor") as db, tempfile.TemporaryDirectory() as data:
        secret = secrets.token_urlsafe(48)
        settings = Settings(secret_key=secret, base_url="http://testserver", log_json=True,
                            login_slowdown_seconds=0.01, data_dir=Path(data))
        app = create_app(settings, db.app_url)
        os.environ["BENCH_APP_DSN"] = libpq_url(db.app_url)
        os.environ["BENCH_SECRET_KEY"] = secret
        from bench.baseline_app import app as baseline

        engine = make_engine(db.app_url, pool_size=2)
        try:
            await transactions(engine, libpq_url(db.app_url), args)
        finally:
            await direct.close_lane(engine)
            await engine.dispose()
        async with AsyncTestClient(app=app) as client, AsyncTestClient(app=baseline):
            token, probe = await seed(client, 60)
            for path in ("/api/v1/me", f"/api/v1/contacts/{probe}"):
                sides = {"Rapport": asgi_get(app, path, token),
                         "baseline": asgi_get(baseline, path, token)}
                got = await interleaved(sides, args.rounds, args.count // 2)
                label = path if path == "/api/v1/me" else "/api/v1/contacts/{id}"
                _report(f"GET {label}, the whole ASGI app", got, "baseline")
                for name, call in sides.items():
                    stats = await _profiled(call, 100)()
                    total = stats.total_calls / 100  # type: ignore[attr-defined]
                    parts = ", ".join(f"{k} {v:,.0f}" for k, v in _by_package(stats, 100,
                                                                                 args.top))
                    print(f"\n{name}: {total:,.0f} Python calls per request — {parts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--top", type=int, default=12)
    asyncio.run(requests(parser.parse_args()))


if __name__ == "__main__":
    main()
