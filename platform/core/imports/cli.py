"""``rapport import contacts FILE.csv --tenant SLUG``: validate, then import in batches that
each commit with a checkpoint (``--atomic``: one transaction), with a progress bar."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, AsyncExitStack, asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text

from rapport.core.imports import columns, runner
from rapport.core.imports.runner import ImportOptions, ImportOutcome
from rapport.core.imports.source import CsvSource, FileError
from rapport.hooks import TenantHooks

console = Console(stderr=True)
SHOWN_ERRORS = 50
# Files smaller than this are checked in this process (workers take a second to start).
POOL_THRESHOLD = 8 << 20
# Connections writing batches side by side: PostgreSQL does the writing, one core each.
DEFAULT_WRITERS = 2


class RowsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "", style="cyan")


class Bar:
    """The runner's progress as a rich progress bar: one task per phase."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: Any = None

    def begin(self, phase: str, total: int | None) -> None:
        if self.task is not None:
            self.progress.stop_task(self.task)
        self.task = self.progress.add_task(phase, total=total)

    def advance(self, rows: int) -> None:
        self.progress.advance(self.task, rows)


def _print_outcome(outcome: ImportOutcome, *, dry_run: bool) -> None:
    for error in outcome.errors[:SHOWN_ERRORS]:
        click.echo(f"row {error.row}, column {error.column}: {error.message}", err=True)
    if outcome.error_count > SHOWN_ERRORS:
        click.echo(f"… and {outcome.error_count - min(SHOWN_ERRORS, len(outcome.errors))} "
                   "more errors", err=True)
    verb = "would be" if dry_run else "were"
    click.echo(
        f"import {outcome.import_id or '-'}: {outcome.total_rows} rows; {outcome.created} "
        f"contacts {verb} created, {outcome.updated} updated; {outcome.duplicates} rows "
        f"repeated a later row's key (the last row wins); {outcome.invalid_rows} invalid"
        + (f"; resumed after row {outcome.resumed_from + 1}" if outcome.resumed_from else "")
    )


async def _actor_and_hooks(maker: Any, slug: str, as_email: str | None) -> tuple[Any, Any, Any]:
    from sqlalchemy import select

    from rapport.core.fields.service import visible_fields
    from rapport.core.modules import acting_member
    from rapport.db.session import enter_tenant, tenant_session
    from rapport.hooks import load_registry
    from rapport.plugin_checks import verify_declarations
    from rapport.settings import Settings
    from rapport.tenancy.models import Membership, Role, Tenant, User

    registry = load_registry(blocked=Settings.from_env().blocked_plugins)
    verify_declarations(registry)
    async with tenant_session(maker, None) as session:
        tenant = (
            await session.execute(select(Tenant).where(Tenant.slug == slug))
        ).scalar_one_or_none()
        if tenant is None:
            raise click.ClickException(f"no tenant with slug {slug!r}")
        await enter_tenant(session, tenant.id)
        query = (
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.tenant_id == tenant.id)
        )
        if as_email:
            query = query.where(User.email == as_email.strip().lower())
        else:
            query = query.where(Membership.role == Role.OWNER).order_by(Membership.created_at)
        found = (await session.execute(query.limit(1))).first()
        if found is None:
            raise click.ClickException(f"no member {as_email!r} in {slug}" if as_email
                                       else f"{slug} has no owner")
        member, user = found
        # A plugin's role acts as its kernel role while the plugin is on (as for requests).
        actor = await acting_member(session, registry, tenant, member, user)
        plugin_fields = [d for _, d in registry.declared("rapport_fields", actor.modules)]
        definitions = await visible_fields(session, actor, plugin_fields, "contact")
    return actor, definitions, registry.for_tenant(actor.modules)


async def _room_for(maker: Any, tenant_id: Any, source: CsvSource) -> None:
    """The plan's contacts limit, as ``POST /api/v1/imports`` checks it: refused (a
    ``RapportError`` naming the limit) before anything is written when every row becoming
    a new contact would pass it; rows are counted only when a limit applies."""
    from rapport.core.billing.gate import require_room
    from rapport.core.imports.source import data_rows
    from rapport.db.session import tenant_session
    from rapport.hooks import load_registry
    from rapport.settings import Settings

    registry = load_registry(blocked=Settings.from_env().blocked_plugins)
    async with tenant_session(maker, tenant_id) as session:
        await require_room(session, tenant_id, registry, "contacts", lambda: data_rows(source))


@asynccontextmanager
async def _one_connection(url: Any) -> AsyncIterator[Any]:
    """Sessions that all use one connection of their own (a writer lane)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from rapport.db.session import CONNECT_ARGS, make_sessionmaker

    engine = create_async_engine(url, pool_size=1, max_overflow=0, connect_args=CONNECT_ARGS)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


async def run_cli_import(
    app_url: Any,
    slug: str,
    path: Path,
    options: ImportOptions,
    *,
    atomic: bool = False,
    as_email: str | None = None,
    workers: int = 0,
    writers: int = DEFAULT_WRITERS,
    show_progress: bool = True,
    hooks: TenantHooks | None = None,
    progress: runner.Progress | None = None,
) -> ImportOutcome:
    """What ``rapport import contacts`` does (also called by tests and the benchmark);
    ``hooks`` replaces the tenant's plugin hooks and ``progress`` the bar when given. Events
    are always emitted: without ``hooks``, through the tenant's own."""
    from rapport.core.imports import loading
    from rapport.db.session import tenant_session

    source = CsvSource.from_path(path)
    executor = loading.pool(workers) if workers > 1 else None
    bar_display = Progress(
        TextColumn("{task.description:>10}"), BarColumn(), TextColumn("{task.completed:,.0f}"),
        RowsPerSecond(), TimeElapsedColumn(), console=console, transient=False,
        disable=not show_progress,
    )
    bar: runner.Progress = progress or Bar(bar_display)
    try:
        async with _one_connection(app_url) as maker:
            actor, definitions, tenant_hooks = await _actor_and_hooks(maker, slug, as_email)
            if not options.dry_run:
                await _room_for(maker, actor.tenant_id, source)
            hooks = hooks or tenant_hooks
            shown = show_progress and progress is None
            context: AbstractContextManager[Any] = bar_display if shown else nullcontext()
            with context:
                if atomic:
                    async with tenant_session(maker, actor.tenant_id, actor.user_id) as session:
                        return await runner.run_import(
                            runner.OneTransaction(session), actor, source, options,
                            definitions, hooks, progress=bar, executor=executor,
                            depth=2 * workers,
                        )
                async with AsyncExitStack() as lanes:
                    extra = [] if options.dry_run else [
                        runner.TransactionPerStep(
                            await lanes.enter_async_context(_one_connection(app_url)),
                            actor.tenant_id, actor.user_id,
                        )
                        for _ in range(writers - 1)
                    ]
                    steps = runner.TransactionPerStep(maker, actor.tenant_id, actor.user_id,
                                                      extra)
                    return await runner.run_import(
                        steps, actor, source, options, definitions, hooks, progress=bar,
                        executor=executor, depth=2 * workers,
                    )
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)


def default_workers(path: Path) -> int:
    """Worker processes for checking this file's rows when ``--workers`` is not given."""
    if path.stat().st_size < POOL_THRESHOLD:
        return 0
    return min(4, os.cpu_count() or 1)


@click.group("import")
def import_group() -> None:
    """Import records from files."""


@import_group.command("contacts")
@click.argument("path", metavar="FILE.csv",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--key", type=click.Choice(columns.KEYS), default="external_id",
              show_default=True, help="Match existing contacts by this value.")
@click.option("--map", "maps", multiple=True, metavar="HEADER=COLUMN",
              help='Read a file column as a contact column, e.g. --map "E-mail=email"; '
                   '"Notes=" ignores a column. Repeatable.')
@click.option("--dry-run", is_flag=True, help="Check every row, write nothing but the record.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows, skip the others.")
@click.option("--atomic", is_flag=True, help="Everything in one transaction (no resuming).")
@click.option("--resume", is_flag=True,
              help="Continue the unfinished import of this file (also done without the flag).")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=runner.DEFAULT_BATCH,
              show_default=True, help="Rows per committed batch.")
@click.option("--region", default=None,
              help="Country of national phone numbers (default: the tenant's phone region).")
@click.option("--as", "as_email", default=None,
              help="Import as this member (default: the tenant's first owner).")
@click.option("--workers", type=click.IntRange(0, 64), default=None,
              help="Processes checking rows (default: several for large files).")
@click.option("--writers", type=click.IntRange(1, 16), default=DEFAULT_WRITERS,
              show_default=True,
              help="Database connections writing batches side by side (commits stay in order).")
def import_contacts(
    path: Path, slug: str, key: columns.Key, maps: tuple[str, ...], dry_run: bool,
    skip_invalid: bool, atomic: bool, resume: bool, batch_size: int, region: str | None,
    as_email: str | None, workers: int | None, writers: int,
) -> None:
    """Import contacts from a UTF-8 CSV file whose first row names the columns."""
    from rapport.core.contacts.preferences import region_code
    from rapport.errors import RapportError
    from rapport.runtime import resolve_database
    from rapport.settings import Settings, SettingsError

    try:
        options = ImportOptions(
            key=key,  # click.Choice checked it
            mapping=columns.parse_mapping(maps), dry_run=dry_run, skip_invalid=skip_invalid,
            resume=resume, batch_size=batch_size, region=region_code(region, "--region"),
        )
        settings = Settings.from_env()
        settings.check()
        database = resolve_database(settings)
    except (columns.ColumnError, RapportError, SettingsError) as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        outcome = asyncio.run(run_cli_import(
            database.app_url, slug, path, options, atomic=atomic, as_email=as_email,
            workers=default_workers(path) if workers is None else workers, writers=writers,
            show_progress=sys.stderr.isatty(),
        ))
    except (FileError, columns.ColumnError, RapportError) as exc:
        raise click.ClickException(str(exc)) from exc
    except runner.ImportRefused as exc:
        _print_outcome(exc.outcome, dry_run=False)
        raise click.ClickException(str(exc)) from exc
    except runner.ImportStopped as exc:
        _print_outcome(exc.outcome, dry_run=False)
        raise click.ClickException(
            f"stopped: {exc}. Committed batches are kept; run the same command again to "
            "resume after the last one."
        ) from exc
    except Exception as exc:
        if not atomic:
            raise
        raise click.ClickException(
            f"failed: {type(exc).__name__}: {exc}; nothing was imported (one transaction)"
        ) from exc
    _print_outcome(outcome, dry_run=dry_run)
    if dry_run and outcome.error_count:
        sys.exit(1)

