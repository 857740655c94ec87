"""``rapport retail tiers list/add/edit/delete`` and ``rapport retail rewards
list/add/edit/delete``: a program's tiers and rewards from the terminal, through the same
structs and services as ``/api/v1/retail/programs/{id}/tiers`` and ``…/rewards`` — so the
command refuses what the API refuses (each refusal a one-line error naming the option, exit
status 1, nothing written) and every change is audited as the tenant's first owner (or
``--as``)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click
import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, RapportError, cli_tenant, tenant_session
from rapport_plugins.retail import programs, schemas

T = TypeVar("T")
_OPTION = {"points_cost": "--points-cost", "valid_days": "--valid-days", "perks": "--perk"}


def _option(field: str) -> str:
    return _OPTION.get(field, f"--{field.replace('_', '-')}")


def _struct(values: dict[str, Any], into: type[T]) -> T:
    """``values`` checked as the API checks its body; a refusal names the option."""
    try:
        return msgspec.convert(values, into, strict=False)
    except msgspec.ValidationError as exc:
        message, _, where = str(exc).partition(" - at `$.")
        field = where.rstrip("`").split("[")[0] or "input"
        raise click.ClickException(f"{_option(field)}: {message}") from None


def _run(slug: str, as_email: str | None,
         action: Callable[[AsyncSession, Principal], Awaitable[T]]) -> T:
    """``action`` in one transaction of the tenant as its acting member; the service's
    refusal (404, 409, 422) is the command's error, and nothing of it is written."""
    async def go() -> T:
        async with cli_tenant(slug, as_email) as ctx, tenant_session(
                ctx.sessions, ctx.actor.tenant_id, ctx.actor.user_id) as db:
            return await action(db, ctx.actor)

    try:
        return asyncio.run(go())
    except RapportError as exc:
        named = "; ".join(f"{_option(e.field.split('[')[0])}: {e.message}"
                          for e in exc.errors)
        raise click.ClickException(named or exc.detail) from None


def _tenant(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--as", "as_email", default=None,
                     help="The member acting (default: the tenant's first owner).")(f)
    f = click.option("--program", "program_id", type=click.UUID, required=True)(f)
    return click.option("--tenant", "slug", required=True, help="The tenant's slug.")(f)


def _given(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


# ------------------------------------------------------------------------------- tiers

def _tier_line(t: schemas.TierOut) -> str:
    return f"{t.id}\t{t.name}\t{t.threshold}\tx{t.multiplier}\t{', '.join(t.perks)}"


@click.command("list")
@_tenant
def list_tiers(slug: str, program_id: uuid.UUID, as_email: str | None) -> None:
    """The program's tiers, lowest first: id, name, qualifying points, multiplier, perks."""
    async def action(db: AsyncSession, who: Principal) -> list[schemas.TierOut]:
        await programs.get_program(db, who, program_id)
        return [programs.tier_out(t) for t in await programs.tiers_of(db, who.tenant_id,
                                                                       program_id)]

    found = _run(slug, as_email, action)
    for t in found:
        click.echo(_tier_line(t))
    if not found:
        click.echo("no tiers")


@click.command("add")
@_tenant
@click.option("--name", required=True)
@click.option("--threshold", type=int, required=True, help="Qualifying points to reach it.")
@click.option("--multiplier", default=None, help="Earn multiplier, e.g. 1.5 (default 1).")
@click.option("--perk", "perks", multiple=True, help="A perk (repeat for several).")
def add_tier(slug: str, program_id: uuid.UUID, as_email: str | None, name: str,
             threshold: int, multiplier: str | None, perks: tuple[str, ...]) -> None:
    """Add a tier to the program."""
    data = _struct(_given(name=name, threshold=threshold, multiplier=multiplier,
                          perks=list(perks)), schemas.TierIn)

    async def action(db: AsyncSession, who: Principal) -> schemas.TierOut:
        return programs.tier_out(await programs.add_tier(db, who, program_id, data))

    click.echo(f"added {_tier_line(_run(slug, as_email, action))}")


@click.command("edit")
@_tenant
@click.option("--tier", "tier_id", type=click.UUID, required=True)
@click.option("--name", default=None)
@click.option("--threshold", type=int, default=None)
@click.option("--multiplier", default=None)
@click.option("--perk", "perks", multiple=True, help="Replaces the perks (repeat for several).")
@click.option("--no-perks", is_flag=True, help="Remove every perk.")
def edit_tier(slug: str, program_id: uuid.UUID, as_email: str | None, tier_id: uuid.UUID,
              name: str | None, threshold: int | None, multiplier: str | None,
              perks: tuple[str, ...], no_perks: bool) -> None:
    """Change a tier: only the options given change (members keep the tier they hold; a new
    threshold applies from their next earning or the period's settlement)."""
    if perks and no_perks:
        raise click.UsageError("--perk and --no-perks: give one or the other")
    values = _given(name=name, threshold=threshold, multiplier=multiplier,
                    perks=list(perks) if perks else ([] if no_perks else None))
    if not values:
        raise click.UsageError("nothing to change: give --name, --threshold, --multiplier,"
                               " --perk or --no-perks")
    data = _struct(values, schemas.TierPatch)

    async def action(db: AsyncSession, who: Principal) -> schemas.TierOut:
        return programs.tier_out(await programs.change_tier(db, who, program_id, tier_id,
                                                            data))

    click.echo(f"changed {_tier_line(_run(slug, as_email, action))}")


@click.command("delete")
@_tenant
@click.option("--tier", "tier_id", type=click.UUID, required=True)
def delete_tier(slug: str, program_id: uuid.UUID, as_email: str | None,
                tier_id: uuid.UUID) -> None:
    """Remove a tier nobody holds (a tier members hold is refused: they would lose it)."""
    async def action(db: AsyncSession, who: Principal) -> None:
        await programs.remove_tier(db, who, program_id, tier_id)

    _run(slug, as_email, action)
    click.echo(f"removed tier {tier_id}")


# ----------------------------------------------------------------------------- rewards

def _reward_line(r: schemas.RewardOut) -> str:
    stock = "unlimited" if r.stock is None else f"{r.stock} left"
    state = "" if r.active else "\tretired"
    return (f"{r.id}\t{r.name}\t{r.points_cost} points\t{stock}\tvalid {r.valid_days} days"
            f"{state}")


@click.group("rewards")
def rewards_group() -> None:
    """A program's reward catalogue (vouchers for points)."""


@rewards_group.command("list")
@_tenant
def list_rewards(slug: str, program_id: uuid.UUID, as_email: str | None) -> None:
    """The program's rewards, retired ones marked."""
    async def action(db: AsyncSession, who: Principal) -> list[schemas.RewardOut]:
        return [programs.reward_out(r) for r in await programs.list_rewards(db, who,
                                                                            program_id)]

    found = _run(slug, as_email, action)
    for r in found:
        click.echo(_reward_line(r))
    if not found:
        click.echo("no rewards")


@rewards_group.command("add")
@_tenant
@click.option("--name", required=True)
@click.option("--points-cost", "points_cost", type=int, required=True)
@click.option("--stock", type=int, default=None, help="How many (default: unlimited).")
@click.option("--valid-days", "valid_days", type=int, default=None,
              help="How long an issued voucher is valid (default 30).")
def add_reward(slug: str, program_id: uuid.UUID, as_email: str | None, name: str,
               points_cost: int, stock: int | None, valid_days: int | None) -> None:
    """Add a reward to the program's catalogue."""
    data = _struct(_given(name=name, points_cost=points_cost, stock=stock,
                          valid_days=valid_days), schemas.RewardIn)

    async def action(db: AsyncSession, who: Principal) -> schemas.RewardOut:
        return programs.reward_out(await programs.add_reward(db, who, program_id, data))

    click.echo(f"added {_reward_line(_run(slug, as_email, action))}")


@rewards_group.command("edit")
@_tenant
@click.option("--reward", "reward_id", type=click.UUID, required=True)
@click.option("--name", default=None)
@click.option("--points-cost", "points_cost", type=int, default=None)
@click.option("--stock", type=int, default=None)
@click.option("--unlimited", is_flag=True, help="No stock limit any more.")
@click.option("--valid-days", "valid_days", type=int, default=None)
def edit_reward(slug: str, program_id: uuid.UUID, as_email: str | None, reward_id: uuid.UUID,
                name: str | None, points_cost: int | None, stock: int | None,
                unlimited: bool, valid_days: int | None) -> None:
    """Change a reward: only the options given change (issued vouchers keep theirs)."""
    if stock is not None and unlimited:
        raise click.UsageError("--stock and --unlimited: give one or the other")
    values = _given(name=name, points_cost=points_cost, stock=stock, valid_days=valid_days)
    if unlimited:
        values["stock"] = None
    if not values:
        raise click.UsageError("nothing to change: give --name, --points-cost, --stock,"
                               " --unlimited or --valid-days")
    data = _struct(values, schemas.RewardPatch)

    async def action(db: AsyncSession, who: Principal) -> schemas.RewardOut:
        return programs.reward_out(await programs.change_reward(db, who, program_id,
                                                                reward_id, data))

    click.echo(f"changed {_reward_line(_run(slug, as_email, action))}")


@rewards_group.command("delete")
@_tenant
@click.option("--reward", "reward_id", type=click.UUID, required=True)
def delete_reward(slug: str, program_id: uuid.UUID, as_email: str | None,
                  reward_id: uuid.UUID) -> None:
    """Retire a reward (as ``DELETE`` in the API): no new redemptions; vouchers already
    issued stay valid."""
    async def action(db: AsyncSession, who: Principal) -> schemas.RewardOut:
        return programs.reward_out(await programs.retire_reward(db, who, program_id,
                                                                reward_id))

    click.echo(f"retired {_reward_line(_run(slug, as_email, action))}")


def register(retail: click.Group, tiers: click.Group) -> None:
    """Add the catalogue commands to ``rapport retail`` and ``rapport retail tiers``."""
    for command in (list_tiers, add_tier, edit_tier, delete_tier):
        tiers.add_command(command)
    retail.add_command(rewards_group)
