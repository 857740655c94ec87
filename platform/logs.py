"""Structured logs: JSON when not on a terminal, a request id on every line."""

from __future__ import annotations

import json as _json
import logging
import sys
from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any

import structlog

SECRET_KEYS = frozenset({"password", "token", "access_token", "authorization", "cookie", "secret"})


def _redact(_: object, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if key.lower() in SECRET_KEYS:
            event[key] = "[redacted]"
    return event


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is now (servers and test captures swap it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


# JSON lines at INFO or below: the access log writes its line itself (``access_line``).
_direct_json = [False]
_access = structlog.get_logger("rapport.access")


def access_line(**fields: Any) -> None:
    """The access log's line for one request (``event`` "request"): with JSON lines, the
    same bytes structlog's processors above would write — the fields, the bound context
    variables (the request id), the level, the UTC time stamp, secrets redacted, one
    ``json.dumps`` — written without structlog's chain of processor calls, which was a
    measurable share of the shortest requests' CPU (issue 12); otherwise through
    structlog."""
    if not _direct_json[0]:
        _access.info("request", **fields)
        return
    line: dict[str, Any] = {**fields, "event": "request"}
    for key, value in structlog.contextvars.get_contextvars().items():
        line.setdefault(key, value)
    line["level"] = "info"
    line["timestamp"] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    _redact(None, "", line)
    sys.stderr.write(_json.dumps(line, default=repr) + "\n")
    sys.stderr.flush()


def configure_logging(json: bool | None = None, level: int = logging.INFO) -> None:
    use_json = (not sys.stderr.isatty()) if json is None else json
    _direct_json[0] = use_json and level <= logging.INFO
    renderer = structlog.processors.JSONRenderer() if use_json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _redact,
            structlog.processors.format_exc_info
            if use_json
            else structlog.processors.StackInfoRenderer(),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )
