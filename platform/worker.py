"""``rapport worker``'s pass: periodic work from areas and plugins, then the outbox.

Each pass first offers ``rapport_periodic_work`` to every kernel area and loaded plugin
(the tasks area turns due reminders into notifications and events there), then delivers
every tenant's due events to its enabled plugins' ``rapport_event_committed``.

Any number of worker processes run side by side (rows are claimed ``FOR UPDATE SKIP
LOCKED``). ``run`` is the process: it refuses a database behind on migrations, finishes
the pass under way on SIGTERM or SIGINT and then exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import time
from dataclasses import dataclass

import structlog
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport import migrations, telemetry
from rapport.core.events.outbox import deliver_tenant, due_tenants
from rapport.core.modules.enabled import enabled_modules
from rapport.db.session import make_engine, make_sessionmaker, tenant_session
from rapport.hooks import PeriodicWork, PluginHookError, PluginRegistry
from rapport.web.health import readiness

log = structlog.get_logger("rapport.worker")

ONCE_MAX_PASSES = 1000


async def periodic_work(work: PeriodicWork) -> int:
    """Offer one pass of periodic work to each area and plugin; a failing one is logged
    with its name and the others carry on."""
    everyone = work.registry.for_tenant(frozenset(p.name for p in work.registry.loaded()))
    done = 0
    for info in work.registry.loaded():
        try:
            answers = await everyone.call_each("rapport_periodic_work", only=info.name, work=work)
        except PluginHookError as exc:
            log.error("periodic work failed", plugin=exc.plugin,
                      error=f"{type(exc.error).__name__}: {exc.error}")
            telemetry.JOB_FAILURES.labels(f"periodic:{exc.plugin}").inc()
            continue
        done += sum(n for _, n in answers if isinstance(n, int))
    return done


async def deliver_due(
    maker: async_sessionmaker[AsyncSession],
    registry: PluginRegistry,
    *,
    batch: int = 200,
    events: int = 2000,
    max_tenants: int = 100,
) -> int:
    """One pass: periodic work first (it may emit events, ``batch`` at a time), then every
    tenant with events due, up to ``events`` of each in one transaction (consecutive events
    of one name reach batch consumers together: a larger claim makes larger batches);
    returns how many events were handled."""
    await periodic_work(PeriodicWork(maker, registry, batch=batch, max_tenants=max_tenants))
    handled = 0
    due = await due_tenants(maker, max_tenants)
    telemetry.OUTBOX_DUE_TENANTS.set(len(due))
    for tenant_id in due:
        async with tenant_session(maker, tenant_id) as session:
            hooks = registry.for_tenant(await enabled_modules(session, tenant_id))
            handled += await deliver_tenant(session, hooks, tenant_id, events)
    return handled


class MigrationsPending(RuntimeError):
    """The database is behind the migrations this code expects; the message says which."""


def check_migrations(app_url: URL | str, registry: PluginRegistry) -> None:
    """Refuse to work against a schema older than this code (a rolling upgrade whose
    migration Job has not run yet): its queries would fail, or write the old shape. A
    schema a newer release has migrated past is fine (the readiness probe's rule)."""
    locations = registry.migration_locations()
    expected = migrations.heads(locations)
    current = migrations.current(app_url)
    _, status = readiness(current, expected, migrations.known(locations),
                             migrations.lineage(locations))
    if status != 200:
        raise MigrationsPending(
            "the database is behind on migrations (not applied: "
            + ", ".join(sorted(expected - current))
            + "); run `rapport db upgrade` first, then start the worker"
        )


@dataclass
class WorkerRun:
    delivered: int = 0
    passes: int = 0
    stopped_by: str | None = None


async def run(
    app_url: URL | str,
    registry: PluginRegistry,
    *,
    once: bool = False,
    interval: float = 1.0,
    max_tenants: int = 100,
) -> WorkerRun:
    """Passes until stopped, or with ``once`` until a pass finds nothing due. SIGTERM or
    SIGINT lets the pass under way (its deliveries and periodic work, each in its own
    transaction) finish, then returns."""
    result = WorkerRun()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def request_stop(sig: signal.Signals) -> None:
        if not stop.is_set():
            log.info("stopping after the pass under way", signal=sig.name)
            result.stopped_by = sig.name
            stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, request_stop, sig)
    engine = make_engine(app_url, pool_size=2)
    maker = make_sessionmaker(engine)
    # What start-up made (modules, mapped classes, the plugin registry: ~500,000 objects)
    # is never garbage; frozen, the collector's full passes leave it out. Unfrozen, those
    # passes took about half of a busy worker's time (docs/benchmarks.md, Retail loyalty).
    gc.freeze()
    log.info("worker started", interval=interval)
    telemetry.tracer()  # on when OTEL_EXPORTER_OTLP_ENDPOINT is set
    try:
        while not stop.is_set():
            started = time.time_ns()
            handled = await deliver_due(maker, registry, max_tenants=max_tenants)
            telemetry.record_pass(started, handled)
            result.delivered += handled
            result.passes += 1
            # A pass serves at most 100 tenants; "once" means what is due now, all of it,
            # so pass again while a pass found work (bounded: a consumer whose handling
            # emits new events each time must not keep a cron job running for ever).
            if once and (handled == 0 or result.passes >= ONCE_MAX_PASSES):
                break
            if handled == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), interval)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await engine.dispose()
        telemetry.flush_traces()
    return result
