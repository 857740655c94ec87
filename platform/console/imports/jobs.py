"""Uploaded files waiting for their mapping, and imports running in the background.

An upload is kept in the server's temporary folder under the tenant and the member who
sent it (only they can open it again) until it is imported. An import started from the
console runs after its request, batch by batch with a checkpoint — the CLI's way
(``TransactionPerStep`` on a connection of its own), so it can be resumed — and reports
its progress to a ``Job`` the progress bar polls. Jobs live in the process that runs
them."""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import create_async_engine

from rapport.core.fields.definitions import FieldDefinition
from rapport.core.imports import runner
from rapport.core.imports.columns import ColumnError
from rapport.core.imports.rows import RowError
from rapport.core.imports.source import CsvSource, FileError
from rapport.db.session import CONNECT_ARGS, make_sessionmaker
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal

log = structlog.get_logger("rapport.console.imports")

UPLOADS = Path(tempfile.gettempdir()) / "rapport-console-imports"
# Batches small enough for the bar to move on files the console takes (up to 20 MiB).
BATCH = 1_000
# Finished jobs are forgotten after an hour (the import's record stays).
KEEP_SECONDS = 3600


def _folder(principal: Principal) -> Path:
    return UPLOADS / str(principal.tenant_id) / str(principal.user_id)


def save(principal: Principal, name: str, data: bytes) -> uuid.UUID:
    token = uuid.uuid4()
    folder = _folder(principal)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    (folder / f"{token}.csv").write_bytes(data)
    (folder / f"{token}.name").write_text(name, encoding="utf-8")
    return token


def upload(principal: Principal, token: uuid.UUID) -> CsvSource | None:
    """The member's own upload, or None (gone, or someone else's)."""
    folder = _folder(principal)
    path, name = folder / f"{token}.csv", folder / f"{token}.name"
    if not path.is_file():
        return None
    return CsvSource(name.read_text(encoding="utf-8") if name.is_file() else path.name,
                     lambda: path.open("rb"))


def discard(principal: Principal, token: uuid.UUID) -> None:
    for suffix in (".csv", ".name"):
        (_folder(principal) / f"{token}{suffix}").unlink(missing_ok=True)


@dataclass
class Job:
    """One running import as the progress bar sees it (a ``runner.Progress``)."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    file_name: str
    phase: str = "starting"
    total: int = 0
    done: int = 0
    finished: bool = False
    import_id: uuid.UUID | None = None
    failure: str | None = None
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    ended_at: float = 0.0

    def begin(self, phase: str, total: int | None) -> None:
        self.phase, self.total, self.done = phase, max(total or 0, 0), 0

    def advance(self, rows: int) -> None:
        self.done += rows

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)


JOBS: dict[uuid.UUID, Job] = {}
_TASKS: set[asyncio.Task[None]] = set()


def job(principal: Principal, job_id: uuid.UUID) -> Job | None:
    found = JOBS.get(job_id)
    if found is None or found.tenant_id != principal.tenant_id:
        return None
    return found


def _forget_old() -> None:
    now = time.monotonic()
    for key in [k for k, j in JOBS.items() if j.finished and now - j.ended_at > KEEP_SECONDS]:
        del JOBS[key]


def start(
    url: Any,
    principal: Principal,
    token: uuid.UUID,
    source: CsvSource,
    options: runner.ImportOptions,
    definitions: Sequence[FieldDefinition],
    hooks: TenantHooks,
) -> Job:
    _forget_old()
    running = Job(uuid.uuid4(), principal.tenant_id, principal.user_id, source.name)
    JOBS[running.id] = running
    task = asyncio.create_task(
        _run(running, url, principal, token, source, options, definitions, hooks))
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)
    return running


async def _run(
    running: Job,
    url: Any,
    principal: Principal,
    token: uuid.UUID,
    source: CsvSource,
    options: runner.ImportOptions,
    definitions: Sequence[FieldDefinition],
    hooks: TenantHooks,
) -> None:
    # One connection: the staging table is private to it (as for the CLI).
    engine = create_async_engine(url, pool_size=1, max_overflow=0, connect_args=CONNECT_ARGS)
    try:
        steps = runner.TransactionPerStep(
            make_sessionmaker(engine), principal.tenant_id, principal.user_id)
        outcome = await runner.run_import(steps, principal, source, options, definitions,
                                          hooks, progress=running)
        running.import_id = outcome.import_id
        discard(principal, token)
    except runner.ImportRefused as exc:
        running.failure = str(exc)
        running.errors, running.error_count = exc.outcome.errors, exc.outcome.error_count
    except runner.ImportStopped as exc:
        running.failure, running.import_id = str(exc), exc.outcome.import_id
    except (FileError, ColumnError) as exc:
        running.failure = str(exc)
    except Exception as exc:  # shown on the page; the details go to the log
        log.exception("console import failed", job=str(running.id))
        running.failure = type(exc).__name__
    finally:
        running.finished, running.ended_at = True, time.monotonic()
        await engine.dispose()
