"""``rapport medical peers …``: a clinic's federation peers from the command line — the
same service code as ``/api/v1/medical/federation/peers`` (one transaction each, as the
tenant's member ``--as``, who must be an owner or admin)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click
import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, RapportError, Settings, cli_tenant, tenant_session
from rapport_plugins.medical.federation import peers
from rapport_plugins.medical.schemas import PeerIn, PeerOut, PeerPatch

T = TypeVar("T")
Work = Callable[[AsyncSession, Principal, Settings], Awaitable[T]]


def _refusal(exc: RapportError) -> str:
    fields = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
    return f"{exc.detail} ({fields})" if fields else exc.detail


def _run(slug: str, as_email: str | None, work: Work[T]) -> T:
    async def go() -> T:
        settings = Settings.from_env()
        async with cli_tenant(slug, as_email) as ctx:  # noqa: SIM117 (session needs ctx)
            async with tenant_session(ctx.sessions, ctx.actor.tenant_id,
                                      ctx.actor.user_id) as session:
                return await work(session, ctx.actor, settings)

    try:
        return asyncio.run(go())
    except RapportError as exc:
        raise click.ClickException(_refusal(exc)) from exc


def _checked(kind: type[T], values: dict[str, Any]) -> T:
    """The options as the API's request body, with the API's rules (URLs, lengths)."""
    try:
        return msgspec.convert(values, kind)
    except msgspec.ValidationError as exc:
        raise click.ClickException(f"invalid input: {exc}") from exc


def _show(peer: PeerOut, as_json: bool) -> None:
    if as_json:
        click.echo(msgspec.json.encode(peer).decode())
        return
    state = f"removed {peer.removed_at:%Y-%m-%d}" if peer.removed_at else "active"
    click.echo(f"{peer.id}  {peer.direction:<8} {state:<18} {peer.name}")
    click.echo(f"    client_id      {peer.client_id}")
    for label, value in (("jwks_url", peer.jwks_url), ("token_url", peer.token_url),
                         ("fhir_base_url", peer.fhir_base_url)):
        if value:
            click.echo(f"    {label:<14} {value}")


tenant_option = click.option("--tenant", "slug", required=True, help="The clinic's slug.")
as_option = click.option("--as", "as_email", default=None,
                         help="Act as this owner or admin (default: the first owner).")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.group()
def medical() -> None:
    """Medical records: federation with clinics on other deployments."""


@medical.group("peers")
def peers_group() -> None:
    """The clinics on other deployments this clinic federates with."""


@peers_group.command("list")
@tenant_option
@as_option
@json_option
def list_command(slug: str, as_email: str | None, as_json: bool) -> None:
    """Every peer, newest first (removed inbound peers too, marked)."""

    async def work(db: AsyncSession, principal: Principal, settings: Settings) -> list[PeerOut]:
        principal.require_manager()
        return [peers.out(p, settings) for p in await peers.list_peers(db, principal)]

    found = _run(slug, as_email, work)
    if as_json:
        click.echo(msgspec.json.encode(found).decode())
    elif not found:
        click.echo("no federation peers")
    for peer in [] if as_json else found:
        _show(peer, False)


@peers_group.command("add")
@click.argument("name")
@click.option("--inbound", "direction", flag_value="inbound",
              help="A clinic that reads from us: give its --jwks-url.")
@click.option("--outbound", "direction", flag_value="outbound",
              help="A clinic we read from: give the --client-id, --token-url and "
                   "--fhir-base-url it gave us.")
@click.option("--jwks-url", default=None, help="The inbound peer's public keys.")
@click.option("--client-id", default=None, help="Our client id at the outbound peer.")
@click.option("--token-url", default=None, help="The outbound peer's token endpoint.")
@click.option("--fhir-base-url", default=None, help="The outbound peer's FHIR base URL.")
@tenant_option
@as_option
@json_option
def add_command(name: str, direction: str | None, jwks_url: str | None,
                client_id: str | None, token_url: str | None, fhir_base_url: str | None,
                slug: str, as_email: str | None, as_json: bool) -> None:
    """Register a peer. An inbound one answers the client id, token URL and FHIR base
    URL to hand to the other clinic."""
    if direction is None:
        raise click.UsageError("say --inbound or --outbound")
    data = _checked(PeerIn, {k: v for k, v in {
        "name": name, "direction": direction, "jwks_url": jwks_url, "client_id": client_id,
        "token_url": token_url, "fhir_base_url": fhir_base_url}.items() if v is not None})

    async def work(db: AsyncSession, principal: Principal, settings: Settings) -> PeerOut:
        peer = await peers.register(db, principal, data)
        await db.refresh(peer)  # the server's defaults (created_at)
        return peers.out(peer, settings)

    _show(_run(slug, as_email, work), as_json)


@peers_group.command("rotate")
@click.argument("peer_id", type=click.UUID)
@click.option("--name", default=None, help="A new name.")
@click.option("--jwks-url", default=None, help="An inbound peer's new JWKS URL.")
@click.option("--token-url", default=None, help="An outbound peer's new token endpoint.")
@click.option("--fhir-base-url", default=None, help="An outbound peer's new FHIR base URL.")
@tenant_option
@as_option
@json_option
def rotate_command(peer_id: uuid.UUID, name: str | None, jwks_url: str | None,
                   token_url: str | None, fhir_base_url: str | None, slug: str,
                   as_email: str | None, as_json: bool) -> None:
    """Rename a peer or rotate its addresses: the next assertion is checked against the
    keys at the new JWKS URL."""
    values = {k: v for k, v in {"name": name, "jwks_url": jwks_url, "token_url": token_url,
                                "fhir_base_url": fhir_base_url}.items() if v is not None}
    if not values:
        raise click.UsageError("give --name, --jwks-url, --token-url or --fhir-base-url")
    data = _checked(PeerPatch, values)

    async def work(db: AsyncSession, principal: Principal, settings: Settings) -> PeerOut:
        peer = await peers.update(db, principal, peer_id, data)
        await db.refresh(peer)
        return peers.out(peer, settings)

    _show(_run(slug, as_email, work), as_json)


@peers_group.command("remove")
@click.argument("peer_id", type=click.UUID)
@tenant_option
@as_option
def remove_command(peer_id: uuid.UUID, slug: str, as_email: str | None) -> None:
    """Remove a peer: an inbound one's consents end now and its tokens stop working."""

    async def work(db: AsyncSession, principal: Principal, _: Settings) -> None:
        await peers.remove(db, principal, peer_id)

    _run(slug, as_email, work)
    click.echo(f"removed {peer_id}")
