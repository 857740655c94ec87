"""Deprecations announced on every answer of a deprecated operation, as docs/api.md promises:
``Deprecation`` (RFC 9745, the date it was deprecated) and ``Sunset`` (RFC 8594, the date
after which it may go), beside ``deprecated: true`` in the OpenAPI document.

A handler declares both dates in its ``opt``; Litestar's own ``deprecated=True`` marks the
document. ``deprecated(...)`` gives the two together::

    @get("/old", **deprecated(since=date(2027, 1, 1), sunset=date(2027, 7, 1)))

Plugins (which do not import ``rapport.web``) write the same keys themselves:
``deprecated=True, opt={"deprecated_since": date(...), "sunset": date(...)}``.
"""

from __future__ import annotations

import calendar
from datetime import date
from email.utils import formatdate
from typing import Any

SINCE = "deprecated_since"
SUNSET = "sunset"


def deprecated(*, since: date, sunset: date) -> dict[str, Any]:
    """Route decorator keywords for an operation deprecated on ``since`` that may be removed
    after ``sunset`` (at least six months later within /api/v1: docs/api.md, Versioning)."""
    if sunset <= since:
        raise ValueError("the sunset must come after the deprecation")
    return {"deprecated": True, "opt": {SINCE: since, SUNSET: sunset}}


def _epoch(day: date) -> int:
    return calendar.timegm(day.timetuple())


def announcement(opt: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    """The headers for a handler's ``opt``: none unless it names the dates."""
    headers = []
    if isinstance(since := opt.get(SINCE), date):
        headers.append((b"deprecation", f"@{_epoch(since)}".encode()))
    if isinstance(sunset := opt.get(SUNSET), date):
        headers.append((b"sunset", formatdate(_epoch(sunset), usegmt=True).encode()))
    return headers
