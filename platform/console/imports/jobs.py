"""Uploaded files waiting for their mapping, and imports running in the background.

An upload is kept in the server's temporary folder under the tenant and the member who
sent it (only they can open it again) until it is imported. An import started from the
console runs after its request, batch by batch with a checkpoint — the CLI's way
(``TransactionPerStep`` on a connection of its own), so it can be resumed — and reports
its progress to a ``Job``. The job's state is also written to ``console_import_jobs``
about twice a second, so the progress bar reads the same answer from whichever server
process its poll reaches (``rapport run`` serves from several)."""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import Boolean, DateTime, Integer, String, Text, func, select
from sqlalchemy.dialects.postgresql import JSONB, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core.fields.definitions import FieldDefinition
from rapport.core.imports import runner
from rapport.core.imports.columns import ColumnError
from rapport.core.imports.rows import RowError
from rapport.core.imports.source import CsvSource, FileError
from rapport.db.base import Base, TenantScoped
from rapport.db.session import CONNECT_ARGS, make_sessionmaker, tenant_session
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal

log = structlog.get_logger("rapport.console.imports")

UPLOADS = Path(tempfile.gettempdir()) / "rapport-console-imports"
# Batches small enough for the bar to move on files the console takes (up to 20 MiB).
BATCH = 1_000
# Finished jobs are forgotten after an hour (the import's record stays).
KEEP_SECONDS = 3600
# How often a running job's state is written for the other server processes.
PUBLISH_EVERY = 0.5


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


class ImportJobRow(TenantScoped, Base):
    """The shared copy of a ``Job`` (migration console_0003)."""

    __tablename__ = "console_import_jobs"

    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    file_name: Mapped[str] = mapped_column(String(255))
    phase: Mapped[str] = mapped_column(String(20))
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    finished: Mapped[bool] = mapped_column(Boolean, default=False)
    import_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    failure: Mapped[str | None] = mapped_column(Text)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


def _values(running: Job) -> dict[str, Any]:
    return {
        "phase": running.phase, "total": running.total, "done": running.done,
        "finished": running.finished, "import_id": running.import_id,
        "failure": running.failure, "error_count": running.error_count,
        "errors": [e.as_dict() for e in running.errors],
    }


async def _publish(maker: async_sessionmaker[AsyncSession], running: Job) -> None:
    """Write the job's state for every process to read (insert once, then update)."""
    async with tenant_session(maker, running.tenant_id, running.user_id) as session:
        statement = insert(ImportJobRow).values(
            tenant_id=running.tenant_id, id=running.id, user_id=running.user_id,
            file_name=running.file_name, **_values(running),
        )
        await session.execute(statement.on_conflict_do_update(
            index_elements=["tenant_id", "id"],
            set_={**_values(running), "updated_at": func.now()},
        ))


async def _keep_published(maker: async_sessionmaker[AsyncSession], running: Job) -> None:
    last: dict[str, Any] | None = None
    while not running.finished:
        state = _values(running)
        if state != last:
            try:
                await _publish(maker, running)
                last = state
            except Exception as exc:  # the import goes on; the next tick tries again
                log.warning("could not publish import progress", job=str(running.id),
                            error=type(exc).__name__)
        await asyncio.sleep(PUBLISH_EVERY)


async def shared_job(session: AsyncSession, principal: Principal, job_id: uuid.UUID) -> Job | None:
    """A job as any process sees it: this process's own, or the shared copy."""
    local = job(principal, job_id)
    if local is not None:
        return local
    row = (
        await session.execute(
            select(ImportJobRow).where(
                ImportJobRow.tenant_id == principal.tenant_id, ImportJobRow.id == job_id
            )
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    return Job(
        row.id, row.tenant_id, row.user_id, row.file_name, phase=row.phase, total=row.total,
        done=row.done, finished=row.finished, import_id=row.import_id, failure=row.failure,
        errors=[RowError(**e) for e in row.errors], error_count=row.error_count,
    )


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
    maker: async_sessionmaker[AsyncSession],
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
        _run(running, url, maker, principal, token, source, options, definitions, hooks))
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)
    return running


async def _run(
    running: Job,
    url: Any,
    maker: async_sessionmaker[AsyncSession],
    principal: Principal,
    token: uuid.UUID,
    source: CsvSource,
    options: runner.ImportOptions,
    definitions: Sequence[FieldDefinition],
    hooks: TenantHooks,
) -> None:
    # A connection of its own: the import's long staging step does not hold one of the
    # web pool's (any connection will do: no step relies on session state).
    engine = create_async_engine(url, pool_size=1, max_overflow=0, connect_args=CONNECT_ARGS)
    publisher = asyncio.create_task(_keep_published(maker, running))
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
        await publisher
        try:
            await _publish(maker, running)
        except Exception:  # the local job still answers; other processes see it stalled
            log.exception("could not publish the import's end", job=str(running.id))
