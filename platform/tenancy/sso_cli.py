"""``rapport sso show|test|off --tenant SLUG``: the deployment operator's view of a tenant's
single sign-on (docs/auth.md, "Single sign-on"): its settings and whether the stored secret
still opens, a fresh check of the provider, and switching it off when the tenant's admins
cannot (the provider is gone and they ask the operator). No member acts, so the audit log
gets no entry; the application log (logger ``rapport.sso``) records what the operator did."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from rapport.errors import RapportError

T = TypeVar("T")
TENANT = click.option("--tenant", "slug", required=True, help="The tenant's slug.")
log = logging.getLogger("rapport.sso")


def _run(slug: str, work: Callable[[Any, Any, uuid.UUID], Awaitable[T]]) -> T:
    """``work(session, settings, tenant_id)`` in one transaction of the tenant."""
    from sqlalchemy import select

    from rapport.db.session import enter_tenant, make_engine, make_sessionmaker, tenant_session
    from rapport.runtime import resolve_database
    from rapport.settings import Settings, SettingsError
    from rapport.tenancy.models import Tenant

    async def go() -> T:
        settings = Settings.from_env()
        settings.check()
        engine = make_engine(resolve_database(settings).app_url, pool_size=1, max_overflow=0)
        try:
            async with tenant_session(make_sessionmaker(engine), None) as session:
                tenant_id = (await session.execute(
                    select(Tenant.id).where(Tenant.slug == slug))).scalar_one_or_none()
                if tenant_id is None:
                    raise click.ClickException(f"no tenant with the slug {slug!r}")
                await enter_tenant(session, tenant_id)
                return await work(session, settings, tenant_id)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(go())
    except (RapportError, SettingsError) as exc:
        raise click.ClickException(getattr(exc, "detail", None) or str(exc)) from exc


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

    for key, value in _run(slug, work):
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

    for line in _run(slug, work):
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

    removed = _run(slug, work)
    log.warning("single sign-on switched off by the operator",
                extra={"tenant": slug, "issuer": removed.issuer})
    click.echo(f"single sign-on of {slug} is off; its members sign in with passwords")
