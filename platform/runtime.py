"""Find the database this process should use (the configured server, or the embedded one)
and look after it while ``rapport run`` serves."""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

from sqlalchemy.engine import URL, make_url

from rapport.db.embedded import start_embedded
from rapport.db.supervisor import EmbeddedSupervisor
from rapport.db.urls import app_url_from_owner, sqlalchemy_url
from rapport.settings import Settings


@dataclass(frozen=True)
class Database:
    owner_url: URL
    app_url: URL
    embedded: bool
    server: object | None = None
    # Embedded only: this process started the server (False: it joined a running one).
    started: bool = False


def resolve_database(settings: Settings, *, keep_running: bool = False) -> Database:
    """``RAPPORT_DATABASE_URL`` (owner) wins; otherwise start the embedded PostgreSQL.

    ``keep_running`` leaves the embedded server up after this process exits: for
    ``rapport db shell`` and ``db url``, and for ``rapport run``, whose supervisor
    (``rapport.db.supervisor``) decides itself whether to stop it. Other commands leave
    that to the wheel, which stops it at exit unless another process it knows of uses it.
    """
    if settings.database_url:
        owner = sqlalchemy_url(make_url(settings.database_url))
        app = (
            sqlalchemy_url(make_url(settings.app_database_url))
            if settings.app_database_url
            else app_url_from_owner(owner, settings.app_db_password)
        )
        return Database(owner, app, embedded=False)
    db = start_embedded(
        settings.data_dir,
        cleanup=None if keep_running else "stop",
        app_password=settings.app_db_password,
    )
    return Database(db.owner_url, db.app_url, embedded=True, server=db.server,
                    started=db.started)


def supervise(db: Database) -> EmbeddedSupervisor | None:
    """Watch the embedded server while serving (see ``rapport.db.supervisor``); None for a
    configured server, which its own operator keeps running."""
    if not db.embedded or db.server is None:
        return None
    supervisor = EmbeddedSupervisor(db.server, owns=db.started)
    supervisor.start()
    return supervisor


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopRequested(BaseException):
    """SIGINT or SIGTERM asked the process to stop. A BaseException, like KeyboardInterrupt,
    so that no ``except Exception`` on the way swallows it."""


def serve_until_stopped(serve: Callable[[], None], cleanup: Callable[[], None]) -> bool:
    """Run ``serve``; whatever ends it — SIGINT, SIGTERM, an error — run ``cleanup`` to
    its end. Return True when a signal asked to stop.

    uvicorn handles both signals while it serves, shuts down, then re-raises the signal
    it caught under the handlers it found. With Python's default SIGTERM disposition the
    process dies right there, skipping every ``finally`` and exit hook: that is how the
    embedded server used to outlive ``rapport run``. Here the re-raised signal (or one
    arriving before uvicorn listens, during migrations) becomes StopRequested instead.
    """

    def stop(signum: int, frame: FrameType | None) -> None:
        raise StopRequested(signum)

    previous = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS}
    stopped = False
    try:
        serve()
    except StopRequested:
        stopped = True
    finally:
        # A second Ctrl-C or SIGTERM must not cut the cleanup short (a half-stopped server
        # is the problem being solved); it takes seconds, and kill -9 still works.
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        try:
            cleanup()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    return stopped
