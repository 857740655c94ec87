"""Serving from every core: how many processes ``rapport run`` starts, how large each
one's connection pool may be, and the app factory each worker process calls.

The parent process (``rapport run``) resolves the database, migrates, and watches the
embedded PostgreSQL; uvicorn's supervisor then spawns the workers, which share the
listening socket (the kernel balances connections between them) and learn their database
and pool through the environment (a spawned process inherits nothing else).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from litestar import Litestar
from sqlalchemy.engine import URL

from rapport.db.urls import libpq_url
from rapport.settings import Settings, SettingsError

WORKERS_ENV = "RAPPORT_WORKERS"
# Set by the parent for its workers only (not settings a person writes).
WORKER_URL_ENV = "RAPPORT_WORKER_DATABASE_URL"
WORKER_POOL_ENV = "RAPPORT_WORKER_POOL"
# Steady connections and bursts per process when max_connections leaves room for them.
POOL_SIZE = 10
POOL_OVERFLOW = 10
# Connections kept free for everything that is not a web worker: migrations, ``rapport
# worker``, the CLI, psql, a second ``rapport run`` joining the embedded server.
HEADROOM = 12


@dataclass(frozen=True)
class Pool:
    size: int
    overflow: int


def worker_count(option: int | None) -> int:
    """``--workers``, else ``RAPPORT_WORKERS``, else the CPUs this process may run on."""
    if option is not None:
        return option
    raw = os.environ.get(WORKERS_ENV, "")
    if raw:
        try:
            count = int(raw)
        except ValueError:
            count = 0
        if count < 1:
            raise SettingsError(f"{WORKERS_ENV} must be a whole number of at least 1")
        return count
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


def pool_sizes(max_connections: int, reserved: int, processes: int) -> Pool:
    """Pools that together stay under the server's limit: each process gets an equal share
    of what superusers' reserve and the headroom leave, up to 10 + 10 overflow."""
    share = (max_connections - reserved - HEADROOM) // processes
    if share < 2:
        raise SettingsError(
            f"{processes} processes do not fit the database's max_connections "
            f"({max_connections}): use fewer --workers or raise max_connections"
        )
    size = min(POOL_SIZE, (share + 1) // 2)
    return Pool(size, min(POOL_OVERFLOW, share - size))


def pool_for(owner_url: URL, processes: int) -> Pool:
    """Ask the server how many connections it takes, and share them out."""
    with psycopg.connect(libpq_url(owner_url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT current_setting('max_connections')::int,"
            " current_setting('superuser_reserved_connections')::int"
            " + coalesce(current_setting('reserved_connections', true), '0')::int"
        ).fetchone()
    assert row is not None
    return pool_sizes(row[0], row[1], processes)


def hand_over(app_url: URL, pool: Pool) -> None:
    """What every worker needs from the parent, in the environment they inherit."""
    os.environ[WORKER_URL_ENV] = app_url.render_as_string(hide_password=False)
    os.environ[WORKER_POOL_ENV] = f"{pool.size},{pool.overflow}"


def share_metrics() -> Path:
    """Prometheus' multi-process mode for several workers: one folder every worker writes
    its samples to (``PROMETHEUS_MULTIPROC_DIR`` if the operator set it, emptied of an
    earlier run's files; else a new temporary one), so ``/metrics`` sums them all."""
    from rapport.telemetry import MULTIPROC_ENV

    given = os.environ.get(MULTIPROC_ENV)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
    else:
        folder = Path(tempfile.mkdtemp(prefix="rapport-metrics-"))
        os.environ[MULTIPROC_ENV] = str(folder)
    return folder


def worker_app() -> Litestar:
    """uvicorn's factory in each worker process (``rapport.serving:worker_app``)."""
    from rapport.app import create_app
    from rapport.telemetry import forget_dead_processes

    forget_dead_processes()
    size, overflow = (int(x) for x in os.environ[WORKER_POOL_ENV].split(","))
    return create_app(Settings.from_env(), os.environ[WORKER_URL_ENV],
                      pool_size=size, max_overflow=overflow)
