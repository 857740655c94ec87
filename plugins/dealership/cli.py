"""``rapport dealership …``: check a VIN, list the promises falling due, send the promise
alerts for one tenant now (what ``rapport worker`` does on its passes), the sales manager's
daily numbers, and put a member in a branch."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import click

from rapport_plugins.dealership.vin import CHECK_DIGIT_MARKETS, problem

MARKETS = ("north_america", "china", "europe", "other")


@click.group("dealership")
def dealership_group() -> None:
    """Vehicle orders, the promise ledger and incentives."""


@dealership_group.command("check-vin")
@click.argument("vin")
@click.option("--market", type=click.Choice(MARKETS), default="north_america",
              help="Where the car is sold: the check digit is verified in "
                   + " and ".join(sorted(CHECK_DIGIT_MARKETS)) + ".")
def check_vin(vin: str, market: str) -> None:
    """Say whether VIN is valid; exit status 1 when it is not."""
    reason = problem(vin.strip().upper(), market)
    if reason:
        raise click.ClickException(f"{vin}: {reason}")
    click.echo(f"{vin.strip().upper()}: valid")


@dealership_group.command("promises-due")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--days", type=click.IntRange(0, 365), default=7,
              help="Due within this many days (overdue ones always).")
@click.option("--as", "as_email", default=None, help="Act as this member (default: owner).")
def promises_due(slug: str, days: int, as_email: str | None) -> None:
    """Open promises due soon, most overdue first (a salesperson sees their own)."""
    asyncio.run(_promises_due(slug, days, as_email))


async def _promises_due(slug: str, days: int, as_email: str | None) -> None:
    from rapport.sdk import cli_tenant, tenant_session
    from rapport_plugins.dealership import promises

    now = datetime.now(UTC)
    async with cli_tenant(slug, as_email) as ctx, tenant_session(
            ctx.sessions, ctx.actor.tenant_id, ctx.actor.user_id) as db:
        found = await promises.due(db, ctx.actor, now + timedelta(days=days))
        for p in found:
            flag = "OVERDUE" if p.due_at < now else "due"
            click.echo(f"{p.id}\t{flag}\t{p.due_at:%Y-%m-%d %H:%M}\t{p.kind}\t"
                       f"p={p.probability:.2f}\t{p.text}")
        click.echo(f"{len(found)} open promises due within {days} days")


@dealership_group.command("remind")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
def remind(slug: str) -> None:
    """Send this tenant's due promise alerts now (each alert goes out once)."""
    asyncio.run(_remind(slug))


async def _remind(slug: str) -> None:
    from rapport.sdk import cli_tenant, tenant_session
    from rapport_plugins.dealership.alerts import remind_tenant

    async with cli_tenant(slug) as ctx, tenant_session(ctx.sessions, ctx.actor.tenant_id) as db:
        sent = await remind_tenant(db, ctx.hooks, ctx.actor.tenant_id)
    click.echo(f"{sent} promise alerts sent")


@dealership_group.command("daily")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day (UTC), default today.")
@click.option("--as", "as_email", default=None,
              help="Act as this manager (default: owner); a branch manager sees their branch.")
def daily_numbers(slug: str, day: datetime | None, as_email: str | None) -> None:
    """The sales manager's day: traffic, appointments, quotes, deals, deliveries, gross."""
    asyncio.run(_daily(slug, day, as_email))


async def _daily(slug: str, day: datetime | None, as_email: str | None) -> None:
    from rapport.sdk import RapportError, cli_tenant, tenant_session
    from rapport_plugins.dealership import daily
    from rapport_plugins.dealership.catalogue import settings_of
    from rapport_plugins.dealership.roles import require_manager
    from rapport_plugins.dealership.scope import scope_of

    async with cli_tenant(slug, as_email) as ctx, tenant_session(
            ctx.sessions, ctx.actor.tenant_id, ctx.actor.user_id) as db:
        try:
            require_manager(ctx.actor)
        except RapportError as exc:
            raise click.ClickException(exc.detail) from exc
        settings = await settings_of(db, ctx.actor)
        n = await daily.numbers(db, ctx.actor.tenant_id, (day or datetime.now(UTC)).date(),
                                settings.currency, (await scope_of(db, ctx.actor)).branch)
    for name in ("day", "branch", "traffic", "appointments_set", "appointments_due",
                 "appointments_shown", "show_ratio", "quotes", "deposits", "deals_closed",
                 "closing_ratio", "closing_ratio_traffic", "deliveries", "front_gross_minor",
                 "back_gross_minor", "open_orders_past_promised_date"):
        click.echo(f"{name}\t{getattr(n, name)}")


@dealership_group.command("assign-branch")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--member", "member_email", required=True, help="The member's e-mail.")
@click.option("--branch", default=None, help="The branch; leave out to take them out of any.")
def assign_branch(slug: str, member_email: str, branch: str | None) -> None:
    """Put a member in a branch (a sales manager then manages that branch only)."""
    asyncio.run(_assign(slug, member_email, branch))


async def _assign(slug: str, member_email: str, branch: str | None) -> None:
    from sqlalchemy import func, select

    from rapport.sdk import Membership, User, cli_tenant, tenant_session
    from rapport_plugins.dealership import staff

    async with cli_tenant(slug) as ctx, tenant_session(
            ctx.sessions, ctx.actor.tenant_id, ctx.actor.user_id) as db:
        member = await db.scalar(select(Membership.id).join(
            User, User.id == Membership.user_id).where(
            Membership.tenant_id == ctx.actor.tenant_id,
            func.lower(User.email) == member_email.strip().lower()))
        if member is None:
            raise click.ClickException(f"{member_email} is not a member of {slug}")
        done = await staff.assign(db, ctx.actor, member, (branch or "").strip() or None)
    click.echo(f"{done.name}\t{done.branch or '(no branch)'}")
