"""Where an import's time goes, statement by statement — off unless a caller (the
benchmark) collects it: ``with collecting() as seconds: …`` then read ``seconds``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_SECONDS: ContextVar[dict[str, float] | None] = ContextVar("import_seconds", default=None)


@contextmanager
def collecting() -> Iterator[dict[str, float]]:
    """Seconds per step of imports run inside (tasks started inside inherit it)."""
    seconds: dict[str, float] = {}
    token = _SECONDS.set(seconds)
    try:
        yield seconds
    finally:
        _SECONDS.reset(token)


@contextmanager
def timed(step: str) -> Iterator[None]:
    seconds = _SECONDS.get()
    if seconds is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds[step] = seconds.get(step, 0.0) + time.perf_counter() - started
