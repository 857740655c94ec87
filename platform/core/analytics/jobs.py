"""Recompute jobs: started by the API or the CLI, run step by step by the worker or the CLI.

A job is a list of steps (``rfm``, ``abc``, ``xyz``, ``clv``). Each step computes its class
for every contact and commits together with the job's ``steps_done``: a job stopped
anywhere (a killed CLI, a worker restarted) keeps the steps it finished and continues with
the next — each class is atomic, the job resumable. The step's transaction holds the job's
row lock, so two runners never do the same step: the worker skips a locked job, the CLI
waits for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.core import audit
from rapport.core.analytics import classes, clv
from rapport.core.analytics.models import (
    COMPLETED,
    FAILED,
    QUEUED,
    RUNNING,
    AnalyticsJob,
)
from rapport.core.analytics.parameters import Parameters, of_job, resolve
from rapport.core.transactions.models import Transaction
from rapport.db.session import tenant_session
from rapport.errors import RapportError, conflict, invalid, not_found
from rapport.settings import _env_int
from rapport.tenancy.principal import Principal

RECORD_TYPE = "analytics_job"
UNFINISHED = (QUEUED, RUNNING, FAILED)
# A running job untouched this long is picked up again by the worker (its runner died).
STALE = timedelta(minutes=5)
# The worker queues a tenant's recompute at most this often (when transactions arrived).
DEFAULT_EVERY_HOURS = 24

log = structlog.get_logger("rapport.analytics")


async def last_completed(session: AsyncSession, tenant_id: uuid.UUID) -> AnalyticsJob | None:
    return (await session.execute(
        select(AnalyticsJob).where(AnalyticsJob.tenant_id == tenant_id,
                                   AnalyticsJob.status == COMPLETED)
        .order_by(AnalyticsJob.id.desc()).limit(1)
    )).scalar_one_or_none()


async def unfinished(session: AsyncSession, tenant_id: uuid.UUID) -> AnalyticsJob | None:
    return (await session.execute(
        select(AnalyticsJob).where(AnalyticsJob.tenant_id == tenant_id,
                                   AnalyticsJob.status.in_(UNFINISHED))
        .order_by(AnalyticsJob.id.desc()).limit(1)
    )).scalar_one_or_none()


async def _currency(session: AsyncSession, tenant_id: uuid.UUID, p: Parameters) -> str:
    """The currency to analyse: the one asked for, or the one most purchases in the period
    are in; 422 naming the period when it has no purchases by contacts."""
    query = (
        select(Transaction.currency, func.count())
        .where(Transaction.tenant_id == tenant_id, Transaction.contact_id.is_not(None),
               Transaction.occurred_at >= p.since_at, Transaction.occurred_at < p.until_at)
        .group_by(Transaction.currency).order_by(func.count().desc(), Transaction.currency)
    )
    if p.currency:
        query = query.where(Transaction.currency == p.currency)
    found = (await session.execute(query.limit(1))).first()
    if found is None:
        where = f" in {p.currency}" if p.currency else ""
        raise invalid("period_days", f"no purchases by contacts{where} from "
                      f"{p.since_at:%Y-%m-%d %H:%M} to {p.until_at:%Y-%m-%d %H:%M} UTC")
    return str(found[0])


async def _unchanged_since(session: AsyncSession, tenant_id: uuid.UUID,
                           parameters: dict[str, Any]) -> AnalyticsJob | None:
    """The last completed job, if it had these very parameters (same period end) and no
    transaction was recorded after it started: its results still hold."""
    last = await last_completed(session, tenant_id)
    if last is None or last.parameters != parameters:
        return None
    newer = await session.scalar(
        select(func.count()).select_from(
            select(Transaction.id).where(Transaction.tenant_id == tenant_id,
                                         Transaction.created_at >= last.created_at)
            .limit(1).subquery()
        )
    )
    return None if newer else last


async def start(session: AsyncSession, actor: Principal, sent: dict[str, Any]) -> AnalyticsJob:
    """A queued job (``steps`` to run), or — when nothing changed since the last completed
    job with the same parameters — a job completed at once that says so."""
    actor.require_manager()
    running = await unfinished(session, actor.tenant_id)
    if running is not None and running.status != FAILED:
        raise conflict("A recompute is already under way", job_id=str(running.id))
    last = await last_completed(session, actor.tenant_id)
    parameters = resolve(sent, last.parameters if last else None)
    currency = await _currency(session, actor.tenant_id, parameters)
    values = {**parameters.as_json(), "currency": currency}
    if running is not None:
        # A failed job is superseded by the new one (a resume goes through the CLI).
        running.status = FAILED
        running.failure = (running.failure or "stopped") + "; superseded by a new recompute"
    same = await _unchanged_since(session, actor.tenant_id, values)
    job = AnalyticsJob(tenant_id=actor.tenant_id, created_by=actor.user_id, parameters=values,
                       status=QUEUED, steps=list(parameters.classes), steps_done=0, results={})
    if same is not None:
        job.status, job.steps_done = COMPLETED, len(job.steps)
        job.results = {**same.results, "unchanged_since": str(same.id)}
        job.finished_at = func.now()
    session.add(job)
    await session.flush()
    await session.refresh(job)
    await audit.record(session, actor, audit.CREATE, RECORD_TYPE, job.id,
                       audit.diff({}, {"parameters": values}))
    return job


async def get_job(session: AsyncSession, tenant_id: uuid.UUID, job_id: uuid.UUID) -> AnalyticsJob:
    job = (await session.execute(
        select(AnalyticsJob).where(AnalyticsJob.tenant_id == tenant_id, AnalyticsJob.id == job_id)
    )).scalar_one_or_none()
    if job is None:
        raise not_found("Analytics job")
    return job


async def _step(session: AsyncSession, job: AnalyticsJob) -> dict[str, Any]:
    step = job.steps[job.steps_done]
    parameters = of_job(job.parameters)
    currency = str(job.parameters["currency"])
    if step == "clv":
        return await clv.compute(session, job.tenant_id, job.id, currency, parameters)
    return await classes.compute(session, step, job.tenant_id, job.id, currency, parameters)


async def run_step(maker: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID,
                   job_id: uuid.UUID, *, wait: bool) -> AnalyticsJob | None:
    """The job's next step in one transaction holding the job's row lock; returns the job
    after it, or None when another runner holds the lock and ``wait`` is false."""
    try:
        async with tenant_session(maker, tenant_id) as session:
            query = select(AnalyticsJob).where(AnalyticsJob.tenant_id == tenant_id,
                                               AnalyticsJob.id == job_id)
            job = (await session.execute(
                query.with_for_update(skip_locked=not wait)
            )).scalar_one_or_none()
            if job is None or job.status == COMPLETED or job.steps_done >= len(job.steps):
                return job
            step = job.steps[job.steps_done]
            began = datetime.now().astimezone()
            outcome = await _step(session, job)
            outcome["seconds"] = round((datetime.now().astimezone() - began).total_seconds(), 3)
            job.results = {**job.results, step: outcome}
            job.steps_done += 1
            job.status = COMPLETED if job.steps_done == len(job.steps) else RUNNING
            job.failure = None
            if job.status == COMPLETED:
                job.finished_at = func.now()
            await session.flush()
            await session.refresh(job)
            return job
    except Exception as error:
        # The step rolled back; the job says why and stays resumable from its last step.
        log.error("analytics step failed", job_id=str(job_id), error=str(error))
        async with tenant_session(maker, tenant_id) as session:
            await session.execute(
                text("UPDATE analytics_jobs SET status = 'failed', failure = :failure, "
                     "updated_at = now() WHERE tenant_id = :tenant AND id = :job"),
                {"failure": f"{type(error).__name__}: {error}"[:2000], "tenant": tenant_id,
                 "job": job_id})
        raise


async def run(maker: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, job_id: uuid.UUID,
              *, wait: bool = True,
              after_step: Callable[[AnalyticsJob], Awaitable[None]] | None = None,
              ) -> AnalyticsJob | None:
    """Every remaining step of the job; None when another runner holds it (``wait`` off)."""
    while True:
        job = await run_step(maker, tenant_id, job_id, wait=wait)
        if job is None:
            return None
        if after_step is not None:
            await after_step(job)
        if job.status == COMPLETED or job.steps_done >= len(job.steps):
            return job


async def resume(maker: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID,
                 job_id: uuid.UUID) -> None:
    """Mark a stopped or failed job running again, so the worker may pick it up too."""
    async with tenant_session(maker, tenant_id) as session:
        job = await get_job(session, tenant_id, job_id)
        if job.status == FAILED:
            job.status, job.failure = RUNNING, None


async def run_due(maker: async_sessionmaker[AsyncSession], max_tenants: int) -> int:
    """The worker's pass: every queued job, and running ones nobody touched for
    ``STALE``, of at most ``max_tenants`` tenants; a job another runner holds is skipped.
    Returns how many jobs it finished."""
    async with tenant_session(maker, None) as session:
        now = (await session.execute(select(func.now()))).scalar_one()
        tenants = list((await session.execute(
            text("SELECT rapport_analytics_due_tenants(:stale, :n)"),
            {"stale": now - STALE, "n": max_tenants},
        )).scalars())
    finished = 0
    for tenant_id in tenants:
        async with tenant_session(maker, tenant_id) as session:
            ids = list((await session.execute(
                select(AnalyticsJob.id).where(
                    AnalyticsJob.tenant_id == tenant_id,
                    (AnalyticsJob.status == QUEUED)
                    | ((AnalyticsJob.status == RUNNING) & (AnalyticsJob.updated_at < now - STALE)),
                ).order_by(AnalyticsJob.id)
            )).scalars())
        for job_id in ids:
            try:
                job = await run(maker, tenant_id, job_id, wait=False)
            except Exception:  # the job records why (run_step); other jobs carry on
                log.warning("analytics job stopped", job_id=str(job_id))
                continue
            if job is not None and job.status == COMPLETED:
                finished += 1
    return finished


def schedule_interval() -> timedelta:
    """How often at most the worker queues a tenant's recompute
    (``RAPPORT_ANALYTICS_EVERY_HOURS``, default 24; 0 turns the schedule off)."""
    return timedelta(hours=max(_env_int("RAPPORT_ANALYTICS_EVERY_HOURS", DEFAULT_EVERY_HOURS), 0))


async def schedule_due(maker: async_sessionmaker[AsyncSession], max_tenants: int,
                       every: timedelta | None = None) -> int:
    """The worker's schedule: for each tenant with transactions recorded since its last
    completed recompute, nothing queued or running and no recompute started within
    ``every``, queue one with the tenant's saved settings (the period ending today).
    A tenant whose period now has no purchases is skipped (logged). The new job runs
    after any failed one, which stays resumable through the CLI. Returns how many
    were queued; ``run_due`` then runs them."""
    every = schedule_interval() if every is None else every
    if every <= timedelta(0):
        return 0
    async with tenant_session(maker, None) as session:
        now = (await session.execute(select(func.now()))).scalar_one()
        tenants = list((await session.execute(
            text("SELECT rapport_analytics_stale_tenants(:before, :n)"),
            {"before": now - every, "n": max_tenants},
        )).scalars())
    queued = 0
    for tenant_id in tenants:
        try:
            async with tenant_session(maker, tenant_id) as session:
                last = await last_completed(session, tenant_id)
                parameters = resolve({}, last.parameters if last else None)
                currency = await _currency(session, tenant_id, parameters)
                session.add(AnalyticsJob(
                    tenant_id=tenant_id, created_by=None, status=QUEUED, steps_done=0,
                    parameters={**parameters.as_json(), "currency": currency},
                    steps=list(parameters.classes), results={"scheduled": True}))
        except RapportError as error:
            log.info("scheduled recompute skipped", tenant_id=str(tenant_id),
                     reason=str(error.detail))
            continue
        queued += 1
    return queued
