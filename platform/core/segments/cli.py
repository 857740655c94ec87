"""``rapport segments list|show|count|export|snapshot --tenant SLUG``: the API's segment
actions for a tenant's member (``--as EMAIL``, default its first owner), with the same
checks, audit and one statement per question."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from rapport.errors import RapportError

T = TypeVar("T")
TENANT = click.option("--tenant", "slug", required=True, help="The tenant's slug.")
AS = click.option("--as", "as_email", default=None,
                  help="Act as this member (default: the tenant's first owner).")


@dataclass(frozen=True)
class _Ctx:
    sessions: Any
    actor: Any
    words: Any


@asynccontextmanager
async def _tenant(slug: str, as_email: str | None) -> AsyncIterator[_Ctx]:
    from rapport.core.contacts.contributed import contributed_filters
    from rapport.core.imports.cli import _actor_and_hooks
    from rapport.core.segments.service import Vocabulary, conditions_of
    from rapport.db.session import make_engine, make_sessionmaker
    from rapport.runtime import resolve_database
    from rapport.settings import Settings

    settings = Settings.from_env()
    settings.check()
    engine = make_engine(resolve_database(settings).app_url, pool_size=2, max_overflow=0)
    try:
        sessions = make_sessionmaker(engine)
        actor, definitions, hooks = await _actor_and_hooks(sessions, slug, as_email)
        yield _Ctx(sessions, actor,
                   Vocabulary(definitions, conditions_of(hooks.registry, actor.modules),
                              contributed_filters(hooks.registry, actor.modules)))
    finally:
        await engine.dispose()


def _run(slug: str, as_email: str | None, work: Callable[[_Ctx], Awaitable[T]]) -> T:
    from rapport.settings import SettingsError

    async def go() -> T:
        async with _tenant(slug, as_email) as ctx:
            return await work(ctx)

    try:
        return asyncio.run(go())
    except (RapportError, SettingsError) as exc:
        raise click.ClickException(_problem(exc)) from exc


def _problem(exc: Exception) -> str:
    if isinstance(exc, RapportError) and exc.errors:
        return "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
    return getattr(exc, "detail", None) or str(exc)


def _segment_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise click.BadParameter(f"{raw!r} is not a segment id") from None


async def _in_session(ctx: _Ctx, work: Callable[[Any], Awaitable[T]]) -> T:
    from rapport.db.session import tenant_session

    async with tenant_session(ctx.sessions, ctx.actor.tenant_id, ctx.actor.user_id) as session:
        return await work(session)


@click.group("segments")
def segments_group() -> None:
    """Segments: saved definitions over contacts (docs/segments.md)."""


@segments_group.command("list")
@TENANT
@AS
def list_command(slug: str, as_email: str | None) -> None:
    """Every segment of the tenant, newest first, with its kind and snapshot date."""
    from rapport.core.pagination import MAX_LIMIT
    from rapport.core.segments import service

    async def work(ctx: _Ctx) -> list[Any]:
        async def read(session: Any) -> list[Any]:
            found, cursor = [], None
            while True:
                page = await service.list_segments(session, ctx.actor, cursor=cursor,
                                                   limit=MAX_LIMIT)
                found.extend(page.items)
                if page.next_cursor is None:
                    return found
                cursor = page.next_cursor
        return await _in_session(ctx, read)

    table = Table("id", "name", "kind", "snapshot", "updated")
    for s in _run(slug, as_email, work):
        table.add_row(str(s.id), s.name, s.kind, str(s.snapshot_at or "")[:19],
                      str(s.updated_at)[:19])
    Console().print(table)


@segments_group.command("show")
@click.argument("segment_id")
@TENANT
@AS
def show_command(segment_id: str, slug: str, as_email: str | None) -> None:
    """One segment as JSON (the API's shape), with its count now."""
    import msgspec

    from rapport.core.segments import service
    from rapport.core.segments.schemas import SegmentOut

    wanted = _segment_id(segment_id)

    async def work(ctx: _Ctx) -> SegmentOut:
        async def read(session: Any) -> SegmentOut:
            segment = await service.get_segment(session, ctx.actor, wanted)
            condition = await service.segment_condition(session, ctx.actor, ctx.words, segment)
            return SegmentOut.of(segment, await service.count_where(session, condition))
        return await _in_session(ctx, read)

    shown = msgspec.to_builtins(_run(slug, as_email, work))
    click.echo(json.dumps(shown, indent=2, ensure_ascii=False))


@segments_group.command("count")
@click.argument("segment_id", required=False)
@click.option("--definition", default=None,
              help="Count a draft definition (JSON) instead of a saved segment.")
@TENANT
@AS
def count_command(segment_id: str | None, definition: str | None, slug: str,
                  as_email: str | None) -> None:
    """How many contacts are in a segment now (or match a draft ``--definition``)."""
    from rapport.core.segments import service

    if (segment_id is None) == (definition is None):
        raise click.UsageError("give a SEGMENT_ID or --definition, not both")
    draft: Any = None
    if definition is not None:
        try:
            draft = json.loads(definition)
        except ValueError as exc:
            raise click.BadParameter(f"not JSON: {exc}", param_hint="--definition") from None

    async def work(ctx: _Ctx) -> int:
        async def read(session: Any) -> int:
            if segment_id is None:
                return await service.count(session, ctx.actor, ctx.words, draft)
            segment = await service.get_segment(session, ctx.actor, _segment_id(segment_id))
            condition = await service.segment_condition(session, ctx.actor, ctx.words, segment)
            return await service.count_where(session, condition)
        return await _in_session(ctx, read)

    click.echo(_run(slug, as_email, work))


@segments_group.command("snapshot")
@click.argument("segment_id")
@TENANT
@AS
def snapshot_command(segment_id: str, slug: str, as_email: str | None) -> None:
    """Re-take a static segment's snapshot from its definition (one transaction)."""
    from rapport.core.segments import service

    wanted = _segment_id(segment_id)

    async def work(ctx: _Ctx) -> tuple[Any, int]:
        async def write(session: Any) -> tuple[Any, int]:
            segment, taken = await service.snapshot(session, ctx.actor, ctx.words, wanted)
            return segment.snapshot_at, taken
        return await _in_session(ctx, write)

    when, taken = _run(slug, as_email, work)
    click.echo(f"snapshot of {segment_id} taken at {when}: {taken} contacts")


@segments_group.command("export")
@click.argument("segment_id")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (default: standard output).")
@click.option("--format", "file_format", type=click.Choice(["csv", "jsonl"]), default="csv")
@TENANT
@AS
def export_command(segment_id: str, output: Path | None, file_format: str, slug: str,
                   as_email: str | None) -> None:
    """A segment's contacts with the contact export's columns, streamed page by page
    (audited like the API's export; not for viewers)."""
    from rapport.core import audit
    from rapport.core.imports.controllers import EXPORT
    from rapport.core.segments import export, service

    wanted = _segment_id(segment_id)

    async def work(ctx: _Ctx) -> int:
        async def prepare(session: Any) -> Any:
            ctx.actor.require_writer()
            segment = await service.get_segment(session, ctx.actor, wanted)
            condition = await service.segment_condition(session, ctx.actor, ctx.words, segment)
            await audit.record(session, ctx.actor, EXPORT, service.RECORD_TYPE, segment.id,
                               detail={"format": file_format, "kind": segment.kind,
                                       "via": "cli"})
            return condition
        condition = await _in_session(ctx, prepare)
        chunks = export.stream(ctx.sessions, ctx.actor.tenant_id, ctx.actor.user_id,
                               ctx.words.definitions, file_format,  # type: ignore[arg-type]
                               condition)
        written = 0
        sink = output.open("wb") if output is not None else sys.stdout.buffer
        try:
            async for chunk in chunks:
                sink.write(chunk)
                written += len(chunk)
        finally:
            if output is not None:
                sink.close()
            else:
                sink.flush()
        return written

    written = _run(slug, as_email, work)
    if output is not None:
        click.echo(f"wrote {written} bytes to {output}", err=True)
