"""``rapport teams list|create|add|remove|delete --tenant SLUG``: the organization's teams
through the same service functions as the API (its 404s, 409s and 422s, roles and audit),
acting as the tenant's first owner unless ``--as`` names another member. Members are named
by e-mail."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import click

from rapport.errors import RapportError


async def _in_tenant(slug: str, as_email: str | None,
                     act: Callable[[Any, Any], Awaitable[Any]]) -> Any:
    from rapport.core.imports.cli import _actor_and_hooks
    from rapport.db.session import make_engine, make_sessionmaker, tenant_session
    from rapport.runtime import resolve_database
    from rapport.settings import Settings

    settings = Settings.from_env()
    settings.check()
    engine = make_engine(resolve_database(settings).app_url, pool_size=2, max_overflow=0)
    try:
        sessions = make_sessionmaker(engine)
        actor, _, _ = await _actor_and_hooks(sessions, slug, as_email)
        async with tenant_session(sessions, actor.tenant_id, actor.user_id) as session:
            return await act(session, actor)
    finally:
        await engine.dispose()


def _run(slug: str, as_email: str | None, act: Callable[[Any, Any], Awaitable[Any]]) -> Any:
    try:
        return asyncio.run(_in_tenant(slug, as_email, act))
    except RapportError as exc:
        detail = "; ".join(f"{e.field}: {e.message}" for e in exc.errors) or exc.detail
        raise click.ClickException(detail) from exc


async def _membership(session: Any, actor: Any, email: str) -> uuid.UUID:
    from rapport.tenancy.members import list_members

    for m in await list_members(session, actor):
        if m.user.email.lower() == email.strip().lower() and not m.pending:
            return m.membership.id
    raise RapportError(detail=f"{email}: no member with this e-mail", status=422)


def _echo(team: Any) -> None:
    lead = next((m.name for m in team.members if m.member_id == team.lead_id), "-")
    click.echo("\t".join((str(team.id), team.name, f"lead: {lead}",
                          ", ".join(m.name for m in team.members) or "-")))


tenant = click.option("--tenant", "slug", required=True, help="The tenant's slug.")
acting = click.option("--as", "as_email", default=None,
                      help="Act as this member (default: the tenant's first owner).")


@click.group("teams")
def teams_group() -> None:
    """The organization's teams (members' report per team, teams.owner_team filter)."""


@teams_group.command("list")
@tenant
@acting
def list_command(slug: str, as_email: str | None) -> None:
    """Every team: id, name, lead and members."""
    from rapport.core.teams import service

    async def act(session: Any, actor: Any) -> list[Any]:
        return await service.shown(session, actor, await service.all_teams(session, actor))

    for team in _run(slug, as_email, act):
        _echo(team)


@teams_group.command("create")
@click.argument("name")
@tenant
@click.option("--lead", default=None, help="The lead's e-mail.")
@click.option("--member", "members", multiple=True, help="A member's e-mail (repeatable).")
@acting
def create_command(name: str, slug: str, lead: str | None, members: tuple[str, ...],
                   as_email: str | None) -> None:
    """A new team."""
    from rapport.core.teams import service

    async def act(session: Any, actor: Any) -> Any:
        ids = [await _membership(session, actor, e) for e in members]
        lead_id = await _membership(session, actor, lead) if lead else None
        team = await service.create_team(session, actor, name, lead_id, ids)
        return (await service.shown(session, actor, [team]))[0]

    _echo(_run(slug, as_email, act))


@teams_group.command("add")
@click.argument("team_id", type=click.UUID)
@click.argument("email")
@tenant
@acting
def add_command(team_id: uuid.UUID, email: str, slug: str, as_email: str | None) -> None:
    """Add a member (by e-mail) to a team."""
    from rapport.core.teams import service

    async def act(session: Any, actor: Any) -> Any:
        team = await service.add_member(session, actor, team_id,
                                        await _membership(session, actor, email))
        return (await service.shown(session, actor, [team]))[0]

    _echo(_run(slug, as_email, act))


@teams_group.command("remove")
@click.argument("team_id", type=click.UUID)
@click.argument("email")
@tenant
@acting
def remove_command(team_id: uuid.UUID, email: str, slug: str, as_email: str | None) -> None:
    """Take a member (by e-mail) out of a team."""
    from rapport.core.teams import service

    async def act(session: Any, actor: Any) -> Any:
        await service.remove_member(session, actor, team_id,
                                    await _membership(session, actor, email))
        team = await service.get_team(session, actor, team_id)
        return (await service.shown(session, actor, [team]))[0]

    _echo(_run(slug, as_email, act))


@teams_group.command("delete")
@click.argument("team_id", type=click.UUID)
@tenant
@acting
def delete_command(team_id: uuid.UUID, slug: str, as_email: str | None) -> None:
    """Delete a team (its members stay members of the organization)."""
    from rapport.core.teams import service

    async def act(session: Any, actor: Any) -> None:
        await service.delete_team(session, actor, team_id)

    _run(slug, as_email, act)
    click.echo(f"team {team_id} deleted")
