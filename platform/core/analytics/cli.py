"""``rapport analytics recompute --tenant SLUG``: start a recompute (or continue the
tenant's unfinished one) and run it here, a line per step as each class commits. Stopped
at any point, the same command continues after the last committed step."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import click

from rapport.core.analytics.models import STEPS, AnalyticsJob


def _settings(pairs: tuple[str, ...]) -> dict[str, Any]:
    sent: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r}: expected NAME=VALUE", param_hint="--set")
        try:
            sent[name.strip()] = json.loads(raw)
        except ValueError:
            sent[name.strip()] = raw
    return sent


async def _owner(session: Any, slug: str) -> Any:
    """The tenant's first owner as the acting principal (the CLI acts as the owner)."""
    from sqlalchemy import select

    from rapport.core.modules import acting_member
    from rapport.db.session import enter_tenant
    from rapport.hooks import load_registry
    from rapport.settings import Settings
    from rapport.tenancy.models import Membership, Role, Tenant, User

    tenant = (await session.execute(select(Tenant).where(Tenant.slug == slug))
              ).scalar_one_or_none()
    if tenant is None:
        raise click.ClickException(f"no tenant with slug {slug!r}")
    await enter_tenant(session, tenant.id)
    found = (await session.execute(
        select(Membership, User).join(User, User.id == Membership.user_id)
        .where(Membership.tenant_id == tenant.id, Membership.role == Role.OWNER)
        .order_by(Membership.created_at).limit(1)
    )).first()
    if found is None:
        raise click.ClickException(f"{slug} has no owner")
    registry = load_registry(blocked=Settings.from_env().blocked_plugins)
    return await acting_member(session, registry, tenant, found[0], found[1])


def _line(job: AnalyticsJob) -> str:
    step = job.steps[job.steps_done - 1]
    done = job.results.get(step, {})
    figures = ", ".join(f"{k} {v}" for k, v in done.items()
                        if k in ("classified", "moved", "written", "cleared", "method",
                                 "seconds"))
    return f"[{job.steps_done}/{len(job.steps)}] {step}: {figures}"


async def run_cli(app_url: Any, slug: str, sent: dict[str, Any], restart: bool) -> AnalyticsJob:
    from sqlalchemy.ext.asyncio import create_async_engine

    from rapport.core.analytics import jobs
    from rapport.db.session import CONNECT_ARGS, make_sessionmaker, tenant_session

    engine = create_async_engine(app_url, pool_size=2, connect_args=CONNECT_ARGS)
    try:
        maker = make_sessionmaker(engine)
        async with tenant_session(maker, None) as session:
            actor = await _owner(session, slug)
            job = await jobs.unfinished(session, actor.tenant_id)
            if job is not None and not restart and not sent:
                click.echo(f"continuing job {job.id} at step {job.steps_done + 1} of "
                           f"{len(job.steps)} ({', '.join(job.steps)})", err=True)
            else:
                job = await jobs.start(session, actor, sent)
                click.echo(f"job {job.id}: {', '.join(job.steps)} in "
                           f"{job.parameters['currency']}", err=True)
            tenant_id, job_id = actor.tenant_id, job.id
        await jobs.resume(maker, tenant_id, job_id)

        async def shown(step_done: AnalyticsJob) -> None:
            click.echo(_line(step_done), err=True)

        finished = await jobs.run(maker, tenant_id, job_id, wait=True, after_step=shown)
        assert finished is not None  # waiting for the lock never gives up
        return finished
    finally:
        await engine.dispose()


@click.group("analytics")
def analytics_group() -> None:
    """RFM, ABC, XYZ and lifetime value (docs/analytics.md)."""


@analytics_group.command("recompute")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--class", "classes", multiple=True, type=click.Choice(STEPS),
              help="Only these classes (repeat the option); all by default.")
@click.option("--set", "pairs", multiple=True, metavar="NAME=VALUE",
              help="A setting, e.g. --set period_days=180 --set abc_a=0.7 (docs/analytics.md).")
@click.option("--restart", is_flag=True,
              help="Start a new recompute instead of continuing an unfinished one.")
def recompute(slug: str, classes: tuple[str, ...], pairs: tuple[str, ...],
              restart: bool) -> None:
    """Recompute the tenant's classes here, step by step (each class commits on its own);
    run it again after a stop to continue where it was."""
    from rapport.errors import RapportError
    from rapport.runtime import resolve_database
    from rapport.settings import Settings, SettingsError

    sent = _settings(pairs)
    if classes:
        sent["classes"] = list(classes)
    try:
        settings = Settings.from_env()
        settings.check()
        database = resolve_database(settings)
        job = asyncio.run(run_cli(database.app_url, slug, sent, restart))
    except (RapportError, SettingsError) as exc:
        raise click.ClickException(str(exc)) from exc
    note = job.results.get("unchanged_since")
    click.echo(f"job {job.id}: {job.status}" + (
        f" (nothing changed since job {note})" if note else ""))
    clv = job.results.get("clv")
    if isinstance(clv, dict) and isinstance(clv.get("holdout"), dict):
        click.echo("clv holdout: " + json.dumps(clv["holdout"]))


__all__ = ["analytics_group", "recompute"]
