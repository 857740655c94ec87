"""``rapport campaigns status --tenant SLUG`` (each campaign's state and progress),
``rapport campaigns send`` (what the worker does each pass, until nothing is due: due
campaigns of every tenant, in batches, with each tenant's senders) and ``rapport campaigns
bounces --tenant SLUG PATH`` (the delivery status notifications of a mailbox applied)."""

from __future__ import annotations

import asyncio
import mailbox
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from rapport.errors import RapportError

T = TypeVar("T")


def _run(work: Callable[[Any, Any, Any], Awaitable[T]]) -> T:
    """Run ``work(settings, sessions, registry)`` against the configured database."""
    from rapport.db.session import make_engine, make_sessionmaker
    from rapport.hooks.registry import load_registry
    from rapport.runtime import resolve_database
    from rapport.settings import Settings, SettingsError

    async def go() -> T:
        settings = Settings.from_env()
        settings.check()
        engine = make_engine(resolve_database(settings).app_url, pool_size=2, max_overflow=0)
        try:
            registry = load_registry(blocked=settings.blocked_plugins)
            return await work(settings, make_sessionmaker(engine), registry)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(go())
    except (RapportError, SettingsError) as exc:
        raise click.ClickException(getattr(exc, "detail", None) or str(exc)) from exc


@click.group("campaigns")
def campaigns_group() -> None:
    """Campaigns: status and sending (docs/communication.md)."""


@campaigns_group.command("status")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--as", "as_email", default=None,
              help="Act as this member (default: the tenant's first owner).")
def status_command(slug: str, as_email: str | None) -> None:
    """Every campaign of the tenant, newest first: state, sent, skipped, failed, pending."""
    from rapport.core.communication import campaigns
    from rapport.core.imports.cli import _actor_and_hooks
    from rapport.db.session import tenant_session

    async def work(settings: Any, sessions: Any, registry: Any) -> list[tuple[Any, Any]]:
        actor, _, _ = await _actor_and_hooks(sessions, slug, as_email)
        async with tenant_session(sessions, actor.tenant_id, actor.user_id) as session:
            page = await campaigns.list_campaigns(session, actor, cursor=None, limit=200)
            counts = await campaigns.progress(session, actor, [c.id for c in page.items])
            return [(c, counts[c.id]) for c in page.items]

    table = Table("id", "name", "status", "sent", "skipped", "failed", "pending", "total")
    for c, p in _run(work):
        table.add_row(str(c.id), c.name, c.status, str(p.sent), str(p.skipped), str(p.failed),
                      str(p.pending), str(p.total))
    Console().print(table)


@campaigns_group.command("send")
@click.option("--batch", type=click.IntRange(1, 1000), default=100, show_default=True,
              help="Messages claimed at a time.")
def send_command(batch: int) -> None:
    """Send what is due now, batch after batch, until nothing is left; safe beside running
    workers (batches are claimed with SKIP LOCKED) and after a crash (nothing twice)."""
    from rapport.core.communication.sending import Run, send_due

    async def work(settings: Any, sessions: Any, registry: Any) -> int:
        # Each tenant's senders from the rapport_senders declarations (kernel, plugins).
        run = Run(sessions, registry, settings, None, batch=batch)
        total = 0
        while True:
            handled = await send_due(run, 1_000_000)
            total += handled
            if not handled:
                return total
            click.echo(f"{total} messages handled so far", err=True)

    click.echo(f"{_run(work)} messages handled (sent, skipped or failed; see status)")


def _reports(path: Path) -> list[tuple[str, bytes]]:
    """The messages of a maildir (a folder with ``cur``/``new``), an mbox file, or one
    message file (``.eml``): (where, raw bytes)."""
    if path.is_dir():
        box: mailbox.Mailbox[Any] = mailbox.Maildir(path, create=False)
    else:
        head = path.read_bytes()[:5]
        if head != b"From ":
            return [(path.name, path.read_bytes())]
        box = mailbox.mbox(path, create=False)
    return [(str(key), box.get_bytes(key)) for key in box.iterkeys()]


@campaigns_group.command("bounces")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--as", "as_email", default=None,
              help="Act as this member (default: the tenant's first owner).")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def bounces_command(slug: str, as_email: str | None, path: Path) -> None:
    """Apply the delivery status notifications (RFC 3464) in PATH — a maildir, an mbox or
    one .eml file — to the tenant's campaign messages: hard (5.x.x) bounces record an
    opt-out, soft (4.x.x) ones only mark the message. Messages that are no DSN or name
    none of ours are listed and skipped; each DSN is applied in its own transaction."""
    from rapport.core.communication import dsn
    from rapport.core.imports.cli import _actor_and_hooks
    from rapport.db.session import tenant_session

    async def work(settings: Any, sessions: Any, registry: Any) -> tuple[int, int]:
        actor, _, hooks = await _actor_and_hooks(sessions, slug, as_email)
        applied = skipped = 0
        for where, raw in _reports(path):
            try:
                async with tenant_session(sessions, actor.tenant_id, actor.user_id) as session:
                    found, status, recorded = await dsn.apply(session, actor, hooks, raw)
            except RapportError as exc:
                skipped += 1
                click.echo(f"{where}: skipped: {_why(exc)}", err=True)
                continue
            applied += 1
            click.echo(f"{where}: {found.message_id} {found.kind} bounce ({found.status}), "
                       f"message {status}{', opt-out recorded' if recorded else ''}")
        return applied, skipped

    applied, skipped = _run(work)
    click.echo(f"{applied} bounces applied, {skipped} skipped")


def _why(exc: RapportError) -> str:
    if exc.errors:
        return "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
    return exc.detail
