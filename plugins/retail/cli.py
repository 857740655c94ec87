"""``rapport retail …``: the long jobs, with progress, committed batch by batch.

``tiers recompute`` settles every member of a program now (qualifying points rebuilt from
the ledger, tiers set up or down), as the worker does when each member's period ends; each
batch commits on its own and the run prints the last member id done, so ``--after ID``
resumes an interrupted run (re-running from the start is also safe: it is idempotent).
``expire`` expires due point batches the same way.
"""

from __future__ import annotations

import asyncio
import uuid

import click

from rapport.sdk import cli_tenant, not_found, tenant_session
from rapport_plugins.retail import birthdays, cli_catalogue, ledger, schemas, stock, tiers
from rapport_plugins.retail.models import Program


@click.group("retail")
def retail_group() -> None:
    """Retail loyalty: tiers and rewards, tier recomputes, point expiry, birthdays and card
    stock."""


@retail_group.group("tiers")
def tiers_group() -> None:
    """Loyalty tiers."""


async def _recompute(slug: str, program_id: uuid.UUID, after: uuid.UUID | None,
                     batch: int) -> tuple[int, int]:
    async with cli_tenant(slug) as ctx:
        tenant = ctx.actor.tenant_id
        async with tenant_session(ctx.sessions, tenant, ctx.actor.user_id) as db:
            program = await db.get(Program, (tenant, program_id))
            if program is None:
                raise not_found("Program")
            total = await tiers.count_members(db, tenant, program_id)
        done = changed = 0
        with click.progressbar(length=total, label="members") as bar:
            while True:
                async with tenant_session(ctx.sessions, tenant, ctx.actor.user_id) as db:
                    program = await db.get(Program, (tenant, program_id))
                    assert program is not None
                    n, c, last = await tiers.recompute(db, tenant, program, after, batch)
                if n == 0:
                    break
                done, changed, after = done + n, changed + c, last
                bar.update(n)
                click.echo(f"checkpoint: --after {after}", err=True)
        return done, changed


@tiers_group.command("recompute")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--program", "program_id", type=click.UUID, required=True)
@click.option("--after", type=click.UUID, default=None,
              help="Resume after this member id (printed as each batch commits).")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=500, show_default=True)
def recompute(slug: str, program_id: uuid.UUID, after: uuid.UUID | None,
              batch_size: int) -> None:
    """Rebuild qualifying points for the current period and set each member's tier."""
    try:
        done, changed = asyncio.run(_recompute(slug, program_id, after, batch_size))
    except Exception as exc:
        if isinstance(exc, click.ClickException):
            raise
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{done} members settled; {changed} changed tier")


async def _expire(slug: str, batch: int) -> int:
    async with cli_tenant(slug) as ctx:
        total = 0
        while True:
            async with tenant_session(ctx.sessions, ctx.actor.tenant_id,
                                      ctx.actor.user_id) as db:
                n = await ledger.expire_due(db, ctx.actor.tenant_id, batch)
            total += n
            if n:
                click.echo(f"expired {total} batches so far", err=True)
            if n < batch:
                return total


@retail_group.command("expire")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=500, show_default=True)
def expire(slug: str, batch_size: int) -> None:
    """Expire what is left of point batches past their expiry date."""
    click.echo(f"{asyncio.run(_expire(slug, batch_size))} point batches expired")


async def _birthdays(slug: str) -> int:
    async with cli_tenant(slug) as ctx:
        total = 0
        while True:
            async with tenant_session(ctx.sessions, ctx.actor.tenant_id,
                                      ctx.actor.user_id) as db:
                n = await birthdays.celebrate(db, ctx.actor.tenant_id)
            total += n
            if n == 0:
                return total


@retail_group.command("birthdays")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
def birthday_command(slug: str) -> None:
    """Today's birthdays: the retail.birthday event and the program's bonus, once a year."""
    click.echo(f"{asyncio.run(_birthdays(slug))} members celebrated")


@retail_group.group("stock")
def stock_group() -> None:
    """Pre-printed plastic card stock, registered by range."""


async def _add_stock(slug: str, program_id: uuid.UUID, data: schemas.StockIn
                     ) -> schemas.StockOut:
    async with cli_tenant(slug) as ctx, tenant_session(ctx.sessions, ctx.actor.tenant_id,
                              ctx.actor.user_id) as db:
        return await stock.stock_out(db, await stock.register(db, ctx.actor, program_id,
                                                              data))


@stock_group.command("add")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--program", "program_id", type=click.UUID, required=True)
@click.option("--first", required=True, help="The first card's number (Luhn-checked).")
@click.option("--count", type=click.IntRange(1, 1_000_000), required=True)
@click.option("--label", default=None, help="e.g. the print order's reference.")
def add_stock(slug: str, program_id: uuid.UUID, first: str, count: int,
              label: str | None) -> None:
    """Register COUNT pre-printed cards from FIRST; plastic cards of the program are then
    issued only from registered stock."""
    try:
        added = asyncio.run(_add_stock(slug, program_id, schemas.StockIn(first, count, label)))
    except Exception as exc:
        if isinstance(exc, click.ClickException):
            raise
        raise click.ClickException(str(exc)) from exc
    click.echo(f"registered {added.count} cards {added.first} … {added.last} ({added.label})")


async def _list_stock(slug: str, program_id: uuid.UUID) -> list[schemas.StockOut]:
    async with cli_tenant(slug) as ctx, tenant_session(ctx.sessions, ctx.actor.tenant_id,
                              ctx.actor.user_id) as db:
        return [await stock.stock_out(db, s)
                for s in await stock.list_stock(db, ctx.actor, program_id)]


@stock_group.command("list")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--program", "program_id", type=click.UUID, required=True)
def list_stock(slug: str, program_id: uuid.UUID) -> None:
    """The program's card stock: each range and how many of its cards are issued."""
    try:
        found = asyncio.run(_list_stock(slug, program_id))
    except Exception as exc:
        if isinstance(exc, click.ClickException):
            raise
        raise click.ClickException(str(exc)) from exc
    for s in found:
        click.echo(f"{s.label}\t{s.first}\t{s.last}\t{s.count}\t{s.issued} issued")
    if not found:
        click.echo("no card stock registered")


# ``tiers list/add/edit/delete`` and ``rewards …``: the catalogue, in its own module.
cli_catalogue.register(retail_group, tiers_group)
