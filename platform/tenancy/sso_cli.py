"""``rapport sso show|test|off --tenant SLUG``: the deployment operator's view of a tenant's
single sign-on (docs/auth.md, "Single sign-on"): its settings and whether the stored secret
still opens, a fresh check of the provider, and switching it off when the tenant's admins
cannot (the provider is gone and they ask the operator). No member acts, so the audit log
gets no entry; the application log (logger ``rapport.sso``) records what the operator did."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import click

from rapport.tenancy.operator_cli import TENANT, run_for_tenant

log = logging.getLogger("rapport.sso")


def _configured(row: Any, slug: str) -> Any:
    if row is None:
        raise click.ClickException(f"tenant {slug!r} has no single sign-on set up")
    return row


@click.group("sso")
def sso_group() -> None:
    """A tenant's single sign-on (OpenID Connect; docs/auth.md)."""


@sso_group.command("show")
@TENANT
def show_command(slug: str) -> None:
    """The tenant's SSO settings (never the secret: only whether it is set and still
    readable with this deployment's secret key)."""
    from rapport.tenancy.sso import config

    async def work(session: Any, settings: Any, tenant_id: uuid.UUID) -> list[tuple[str, str]]:
        row = _configured(await config.read(session, tenant_id), slug)
        shown = config.shown(row, settings, slug)
        return [
            ("issuer", shown.issuer), ("client_id", shown.client_id),
            ("client_secret", config.secret_state(row, settings)),
            ("display_name", shown.display_name),
            ("allowed_domains", " ".join(shown.allowed_domains)),
            ("provisioning", shown.provisioning), ("default_role", shown.default_role),
            ("require_sso", "yes" if shown.require_sso else "no"),
            ("redirect_uri", shown.redirect_uri),
            ("start_url", f"{settings.base_url.rstrip('/')}/api/v1/auth/sso/{slug}/start"),
            ("updated_at", str(shown.updated_at)[:19]),
        ]

    for key, value in run_for_tenant(slug, work):
        click.echo(f"{key}: {value}")


@sso_group.command("test")
@TENANT
def test_command(slug: str) -> None:
    """Fetch the provider's discovery document and signing keys afresh, as the console's
    "Test connection" does; exits 1 naming what failed."""
    from rapport.tenancy.sso import config, provider

    async def work(session: Any, settings: Any, tenant_id: uuid.UUID) -> list[str]:
        row = _configured(await config.read(session, tenant_id), slug)
        found, keys = await provider.check_connection(row.issuer)
        return [f"issuer: {found.issuer}",
                f"authorization_endpoint: {found.authorization_endpoint}",
                f"token_endpoint: {found.token_endpoint}", f"jwks_uri: {found.jwks_uri}",
                f"signing_keys: {keys}", f"algorithms: {' '.join(found.algorithms)}"]

    for line in run_for_tenant(slug, work):
        click.echo(line)
    click.echo("the provider answered; its metadata and keys are usable")


@sso_group.command("off")
@TENANT
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def off_command(slug: str, yes: bool) -> None:
    """Remove the tenant's SSO settings: password sign-in works again for everyone (linked
    identities stay, so setting the same provider up again signs the same people in)."""
    from rapport.tenancy.sso import config

    if not yes:
        click.confirm(f"Switch off single sign-on of {slug}? Its members then sign in with "
                      "passwords.", abort=True)

    async def work(session: Any, settings: Any, tenant_id: uuid.UUID) -> Any:
        return _configured(await config.remove_for_operator(session, tenant_id), slug)

    removed = run_for_tenant(slug, work)
    log.warning("single sign-on switched off by the operator",
                extra={"tenant": slug, "issuer": removed.issuer})
    click.echo(f"single sign-on of {slug} is off; its members sign in with passwords")
