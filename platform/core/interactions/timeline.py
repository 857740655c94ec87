"""A contact's timeline: the kernel's interactions and every enabled module's entries about
one person, newest first. It lives with interactions (as the colleague section does): they
are its own lines, walked by an exact keyset; modules answer ``rapport_timeline``.

Paging is exact with a keyset cursor over the whole entry key ``(at, record_id,
record_type, kind, source)``: interactions and plugin entries may share a timestamp, and a
bare ``before`` time would skip or repeat entries at the page boundary. Plugins still answer
the ``rapport_timeline`` hook with ``before`` (strictly older) and ``limit``; the kernel
asks them up to just past the cursor's time and drops what earlier pages already showed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts.service import get_contact
from rapport.core.interactions.entries import timeline_entries
from rapport.core.interactions.service import check_time
from rapport.core.pagination import MAX_CURSOR, bad_cursor, cut, decode
from rapport.fieldtypes import documented
from rapport.hooks import TenantHooks, TimelineEntry, TimelineQuery
from rapport.tenancy.principal import Principal

MAX_PAGE = 200
# A plugin that keeps answering full windows (it ignores ``before``) is asked at most this
# far back per request, so one misbehaving module cannot make a request unbounded.
MAX_WINDOW = 5_000
TICK = timedelta(microseconds=1)  # PostgreSQL's and Python's time resolution

Key = tuple[datetime, str, str, str, str]


class TimelineItem(msgspec.Struct):
    at: datetime
    kind: str
    title: str
    summary: str
    record_type: str
    record_id: uuid.UUID
    source: str
    data: Annotated[dict[str, Any], documented(
        "Open by design: the details the entry's `source` (an area or a plugin answering "
        "the timeline hook) attaches for its `kind`; `record_type` and `record_id` name "
        "the record."
    )]


class Timeline(msgspec.Struct):
    items: list[TimelineItem]
    next_cursor: str | None


def _key(e: TimelineEntry) -> Key:
    return (e.at, str(e.record_id), e.record_type, e.kind, e.source)


def _decode(cursor: str) -> Key:
    key = decode(cursor, tuple[datetime, str, str, str, str])  # a Key
    try:
        uuid.UUID(key[1])
    except ValueError as exc:
        raise bad_cursor() from exc
    return key


def _normalised(e: TimelineEntry, plugin: str) -> TimelineEntry:
    # A plugin's naive time is read as UTC rather than failing the comparison with others.
    at = e.at if e.at.tzinfo is not None else e.at.replace(tzinfo=UTC)
    if at is e.at and e.source:
        return e
    return TimelineEntry(
        at, e.kind, e.title, e.record_type, e.record_id, e.summary, e.source or plugin, e.data
    )


class _Window:
    """Which entries a page may still show: older than ``before`` and after the cursor."""

    def __init__(self, before: datetime | None, after: Key | None) -> None:
        self.before = before
        self.after = after
        bounds = [t for t in (before, after and after[0] + TICK) if t is not None]
        # What plugins are asked for: strictly older than this (the cursor's time included).
        self.plugin_before = min(bounds) if bounds else None

    def admits(self, e: TimelineEntry) -> bool:
        if self.before is not None and e.at >= self.before:
            return False
        return self.after is None or _key(e) < self.after


def _settled(entries: list[TimelineEntry], window: _Window, full: bool) -> list[TimelineEntry]:
    """The entries of one module's answer whose place in the order is certain.

    A module orders by time only, so when its answer filled the window the entries at the
    window's oldest instant may be any subset of those at that instant: they are left for a
    wider ask (or the next page) rather than guessed.
    """
    if full and entries:
        oldest = min(e.at for e in entries)
        entries = [e for e in entries if e.at > oldest]
    return [e for e in entries if window.admits(e)]


async def _plugin_entries(
    hooks: TenantHooks, base: TimelineQuery, window: _Window, need: int
) -> list[TimelineEntry]:
    """Each enabled module's entries for this page. A module is asked for two more than the
    page needs (room for the cursor's own entry and the unsettled oldest instant); one whose
    answer still settles too few — many entries at one instant — is asked again, wider."""
    asked = need + 2
    answers = await hooks.call_each(
        "rapport_timeline", query=_with(base, window.plugin_before, asked)
    )
    out: list[TimelineEntry] = []
    for plugin, answer in answers:
        size = asked
        while True:
            entries = [_normalised(e, plugin) for e in answer]
            full = len(entries) >= size
            kept = _settled(entries, window, full and size < MAX_WINDOW)
            if not full or len(kept) >= need or size >= MAX_WINDOW:
                break
            size = min(size * 2, MAX_WINDOW)
            again = await hooks.call_each(
                "rapport_timeline", only=plugin, query=_with(base, window.plugin_before, size)
            )
            answer = [e for _, a in again for e in a]
        out.extend(kept)
    return out


def _with(base: TimelineQuery, before: datetime | None, limit: int) -> TimelineQuery:
    return TimelineQuery(base.tenant_id, base.contact_id, base.session, base.actor, before, limit)


async def timeline(
    db: AsyncSession,
    principal: Principal,
    hooks: TenantHooks,
    contact_id: uuid.UUID,
    *,
    before: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Timeline:
    check_time("before", before)
    await get_contact(db, principal, contact_id)  # 404 outside the tenant
    window = _Window(before, _decode(cursor) if cursor else None)
    need = limit + 1  # one more than the page tells whether another page follows
    upto = (window.after[0], uuid.UUID(window.after[1])) if window.after else None
    kernel = await timeline_entries(
        db, principal.tenant_id, contact_id, upto=upto, before=before, limit=need + 1
    )
    entries = [e for e in kernel if window.admits(e)][:need]
    base = TimelineQuery(principal.tenant_id, contact_id, db, principal)
    entries.extend(await _plugin_entries(hooks, base, window, need))
    entries.sort(key=_key, reverse=True)
    page = cut(entries, limit, _key)
    items = [
        TimelineItem(
            e.at, e.kind, e.title, e.summary, e.record_type, e.record_id, e.source, dict(e.data)
        )
        for e in page.items
    ]
    return Timeline(items, page.next_cursor)


class TimelineController(Controller):
    path = "/api/v1/contacts/{contact_id:uuid}/timeline"
    tags = ["contacts"]

    @get("/")
    async def get_timeline(
        self,
        contact_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
        before: Annotated[
            datetime | None, QueryParameter(description="Only entries strictly older")
        ] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 50,
    ) -> Timeline:
        """Everything that happened with this person, newest first: interactions and every
        enabled module's entries. Pass ``next_cursor`` back as ``cursor`` for the next page."""
        return await timeline(
            db, principal, hooks, contact_id, before=before, cursor=cursor, limit=limit
        )
