"""Keeps the embedded PostgreSQL that ``rapport run`` depends on alive while it serves,
and stops it afterwards when ``rapport run`` was the one that started it."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import structlog

from rapport.db.embedded import is_alive, postmaster, restart_embedded, stop_embedded

log = structlog.get_logger("rapport.db")

# Seconds to wait before restart attempt n (the first restart is immediate). A server that
# dies again at once (a full disk, a broken cluster) is retried ever more slowly, not in a
# tight loop that floods the log.
BACKOFF = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
# Up this long after a restart, the server counts as healthy again: back-off starts over.
STABLE_AFTER = 60.0


class EmbeddedSupervisor:
    """A watcher thread that restarts the embedded postmaster when it dies.

    Requests answer 503 meanwhile (the database is unreachable) and each worker process's
    pool recovers by itself once the server is back: the first transaction on a dead
    connection invalidates the pool and begins again on a fresh one (``open_session``).
    ``owns`` says whether :meth:`stop` also stops the server: only when this process
    started it; a server that was already running (``rapport db shell`` keeps one up on
    purpose) is left running.
    """

    def __init__(self, server: Any, *, owns: bool, poll_interval: float = 0.5) -> None:
        self._server = server
        self._cluster = Path(server.pgdata)
        self.owns = owns
        self._poll = poll_interval
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="embedded-postgres", daemon=True)
        self.restarts = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop watching; then stop the server if this process started it."""
        self._stopping.set()
        if self._thread.is_alive():
            # A restart in progress finishes first (pg_ctl start waits for readiness):
            # stopping the server under it would race the start.
            self._thread.join(timeout=60)
        if not self.owns:
            log.info("embedded PostgreSQL left running (it was running before rapport run)",
                     data=str(self._cluster))
            return
        pid = stop_embedded(self._cluster)
        if pid is not None:
            log.info("embedded PostgreSQL stopped", pid=pid, data=str(self._cluster))

    def _watch(self) -> None:
        process = postmaster(self._cluster)
        failures = 0
        restarted_at = 0.0
        while not self._stopping.wait(self._poll):
            if process is not None and is_alive(process):
                if failures and time.monotonic() - restarted_at > STABLE_AFTER:
                    failures = 0
                continue
            if failures:
                delay = BACKOFF[min(failures - 1, len(BACKOFF) - 1)]
                if self._stopping.wait(delay):
                    return
            failures += 1
            log.warning("embedded PostgreSQL is gone; restarting",
                        pid=None if process is None else process.pid, attempt=failures,
                        data=str(self._cluster))
            try:
                process = restart_embedded(self._server)
            except Exception as exc:
                # Keep watching: the next pass tries again after the back-off. Whatever
                # failed (pg_ctl, a timeout, a stale lock) is in the server log.
                log.error("embedded PostgreSQL did not restart", attempt=failures,
                          error=f"{type(exc).__name__}: {exc}",
                          server_log=str(self._cluster / "log"))
                process = None
                continue
            restarted_at = time.monotonic()
            self.restarts += 1
            log.warning("embedded PostgreSQL restarted", pid=process.pid, attempt=failures)
