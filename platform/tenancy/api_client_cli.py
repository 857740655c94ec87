"""``rapport api-clients list|create|revoke --tenant SLUG``: the operator's view of a
tenant's API clients (no member acts: the audit log gets no entry; the application log
records the operator's action)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from rapport.tenancy.operator_cli import TENANT, run_for_tenant

log = logging.getLogger("rapport.api_clients")


@click.group("api-clients")
def api_clients_group() -> None:
    """A tenant's API clients (client credentials; docs/auth.md)."""


@api_clients_group.command("list")
@TENANT
def list_command(slug: str) -> None:
    """Every client of the tenant, revoked ones included (never a secret)."""
    from rapport.tenancy import api_clients

    async def work(session: Any, settings: Any, tenant_id: uuid.UUID) -> list[Any]:
        return await api_clients.list_clients(session, tenant_id)

    table = Table("client_id", "name", "scopes", "created", "revoked")
    for c in run_for_tenant(slug, work):
        table.add_row(api_clients.oauth_client_id(c.tenant_id, c.id), c.name,
                      " ".join(sorted(c.scopes)), str(c.created_at)[:19],
                      str(c.revoked_at)[:19] if c.revoked_at else "")
    Console().print(table)


@api_clients_group.command("create")
@TENANT
@click.option("--name", required=True, help="What the client is for.")
@click.option("--scope", "scopes", multiple=True, required=True,
              help="A scope to grant (repeat); see GET /api/v1/api-clients/scopes.")
def create_command(slug: str, name: str, scopes: tuple[str, ...]) -> None:
    """Create a client; prints its client_id and secret (shown this once)."""
    from rapport.app import create_app
    from rapport.runtime import resolve_database
    from rapport.settings import Settings
    from rapport.tenancy import api_clients
    from rapport.tenancy.scopes import catalogue

    settings = Settings.from_env()
    # The scopes are derived from the application's routes and its plugins' permissions.
    known = catalogue(create_app(settings, resolve_database(settings).app_url))

    async def work(session: Any, settings: Any, tenant_id: uuid.UUID) -> tuple[Any, str]:
        granted = known.check(list(scopes), field="--scope")
        return await api_clients.create_client(
            session, settings.secret_key, tenant_id=tenant_id, name=name.strip(),
            scopes=granted, actor=None)

    client, secret = run_for_tenant(slug, work)
    log.info("operator created API client %s of tenant %s", client.id, slug)
    click.echo(f"client_id: {api_clients.oauth_client_id(client.tenant_id, client.id)}")
    click.echo(f"client_secret: {secret}")
    click.echo("Store the secret now: it is not shown again.", err=True)


@api_clients_group.command("revoke")
@TENANT
@click.argument("client_id")
def revoke_command(slug: str, client_id: str) -> None:
    """Revoke a client (its id, or its OAuth client_id): its secret and tokens stop now."""
    from rapport.tenancy import api_clients

    raw = client_id.rpartition(".")[2]
    try:
        wanted = uuid.UUID(raw)
    except ValueError as exc:
        raise click.ClickException(f"not a client id: {client_id}") from exc

    async def work(session: Any, settings: Any, tenant_id: uuid.UUID) -> Any:
        return await api_clients.revoke_client(session, None, tenant_id, wanted)

    run_for_tenant(slug, work)
    log.info("operator revoked API client %s of tenant %s", wanted, slug)
    click.echo(f"revoked {client_id}")
