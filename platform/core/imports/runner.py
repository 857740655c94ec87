"""An import from start to end, the same for the CLI and the API:

1. fingerprint the file (UTF-8, SHA-256) and read its header — refused before anything
   is written when either is wrong;
2. find an unfinished import of the same file to resume;
3. check every row and stage the valid ones, then the whole-file checks;
4. a dry run records what it found and stops; invalid rows refuse the import (nothing is
   written) unless ``skip_invalid``;
5. write batch after batch, each with its audit entry, its ``contacts.imported`` event and
   the import's checkpoint. ``Steps`` decides whether each batch commits on its own
   (resumable) or everything shares one transaction (atomic).
"""

from __future__ import annotations

import asyncio
import heapq
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

import structlog
from sqlalchemy import text

from rapport import telemetry
from rapport.core import audit
from rapport.core.contacts import preferences
from rapport.core.events import emit
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.imports import checks, loading, records, staging, writer
from rapport.core.imports.columns import Key, Layout, resolve
from rapport.core.imports.models import COMPLETED, DRY_RUN, RUNNING, ContactImport
from rapport.core.imports.rows import RowError, RowReader
from rapport.core.imports.source import CsvRows, CsvSource, fingerprint
from rapport.core.imports.steps import NoProgress as NoProgress
from rapport.core.imports.steps import OneTransaction as OneTransaction
from rapport.core.imports.steps import Progress as Progress
from rapport.core.imports.steps import Steps as Steps
from rapport.core.imports.steps import TransactionPerStep as TransactionPerStep
from rapport.core.imports.timing import timed
from rapport.db.base import new_id
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal

CONTACTS_IMPORTED = "contacts.imported"
RECORD_TYPE = "contact_import"
IMPORT = "import"
DEFAULT_BATCH = 10_000

log = structlog.get_logger("rapport.imports")


@dataclass(frozen=True)
class ImportOptions:
    key: Key = "external_id"
    mapping: Mapping[str, str] = field(default_factory=dict)
    dry_run: bool = False
    skip_invalid: bool = False
    # An unfinished import of the same file is continued (``resume``: required to exist).
    continue_unfinished: bool = True
    resume: bool = False
    batch_size: int = DEFAULT_BATCH
    region: str | None = None
    keep_errors: int = records.KEPT_ERRORS


@dataclass
class ImportOutcome:
    file_name: str
    sha256: str = ""
    import_id: uuid.UUID | None = None
    status: str = RUNNING
    total_rows: int = 0
    resumed_from: int = 0
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    invalid_rows: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    # The last data row number read (blank rows count): where the last batch ends.
    last_row: int = 0


class ImportRefused(Exception):
    """Rows are invalid and ``skip_invalid`` is off, or there is nothing to resume:
    nothing was written."""

    def __init__(self, outcome: ImportOutcome, reason: str) -> None:
        super().__init__(reason)
        self.outcome = outcome


class ImportStopped(Exception):
    """A batch failed; the committed batches stay and the import can be resumed."""

    def __init__(self, outcome: ImportOutcome, reason: str) -> None:
        super().__init__(reason)
        self.outcome = outcome


@dataclass
class _Plan:
    layout: Layout
    region: str | None
    prior: ContactImport | None
    # The import's id: the unfinished one's, or the new record's (drawn before staging,
    # which keeps the rows to write under it).
    import_id: uuid.UUID


async def _plan(
    steps: Steps,
    actor: Principal,
    rows: CsvRows,
    outcome: ImportOutcome,
    options: ImportOptions,
    definitions: Sequence[FieldDefinition],
) -> _Plan:
    layout = resolve(rows.header, options.mapping, definitions, options.key)
    async with steps.step() as session:
        region = options.region or (await preferences.defaults(session, actor)).phone_region
        prior = None
        if options.continue_unfinished and not options.dry_run:
            prior = await records.unfinished(session, actor, outcome.sha256)
    if prior is None and options.resume:
        raise ImportRefused(outcome, "this file has no unfinished import to resume")
    if prior is not None and (prior.key != options.key or prior.mapping != layout.mapping):
        raise ImportRefused(
            outcome,
            f"import {prior.id} of this file stopped at row {prior.processed_rows + 1} with "
            f"key {prior.key} and mapping {prior.mapping}; resume it with the same options",
        )
    return _Plan(layout, region, prior, prior.id if prior else new_id())


def _merge_errors(
    first: list[RowError], found: checks.Findings, layout: Layout, keep: int
) -> list[RowError]:
    """Python's errors and the whole-file checks' in row order; the checks name the contact
    value (``emails``), the file's column (``E-mail``) is what the person can find."""
    headers = {c.target: c.header for c in layout.columns}
    named = [RowError(row, headers.get(column, column), message)
             for row, column, message in found.errors]
    return heapq.nsmallest(keep, [*first, *named], key=lambda e: (e.row, e.column))


async def _stage(
    steps: Steps,
    actor: Principal,
    rows: CsvRows,
    plan: _Plan,
    outcome: ImportOutcome,
    options: ImportOptions,
    definitions: Sequence[FieldDefinition],
    progress: Progress,
    executor: Executor | None,
    depth: int,
) -> None:
    reader = RowReader(plan.layout, definitions, plan.region)
    start_after = plan.prior.processed_rows if plan.prior else 0
    async with steps.step() as session:
        await staging.create(session)
        with timed("check rows, COPY to staging"):
            loaded = await loading.load(
                session, rows, reader, start_after=start_after, keep=options.keep_errors,
                advance=progress.advance, executor=executor, depth=depth,
            )
        with timed("whole-file checks"):
            await staging.index(session)
            found = await checks.run(
                session, actor.tenant_id, options.key, definitions, keep=options.keep_errors
            )
        if options.dry_run:
            outcome.created, outcome.updated = await checks.would_create(
                session, actor.tenant_id, options.key
            )
        elif options.skip_invalid or not (loaded.error_count or found.error_count):
            with timed("keep staged rows"):
                await staging.keep(session, actor.tenant_id, plan.import_id)
        await staging.drop(session)
    outcome.resumed_from = start_after
    outcome.total_rows = plan.prior.total_rows if plan.prior else loaded.rows
    outcome.duplicates = found.duplicates
    outcome.invalid_rows = loaded.invalid_rows + found.invalid_rows
    outcome.error_count = loaded.error_count + found.error_count
    outcome.errors = _merge_errors(loaded.errors, found, plan.layout, options.keep_errors)
    outcome.last_row = max(loaded.last_row, start_after)


def _record_values(
    source: CsvSource, plan: _Plan, outcome: ImportOutcome, options: ImportOptions, atomic: bool
) -> dict[str, object]:
    return {
        "file_name": source.name[:255],
        "sha256": outcome.sha256,
        "key": options.key,
        "mapping": plan.layout.mapping,
        "dry_run": options.dry_run,
        "skip_invalid": options.skip_invalid,
        "atomic": atomic,
        "region": plan.region,
        "batch_size": options.batch_size,
        "total_rows": outcome.total_rows,
        "error_count": outcome.error_count,
        "duplicate_count": outcome.duplicates,
        "errors": [e.as_dict() for e in outcome.errors],
    }


# A lane waiting for a row another lane locked, while that lane waits (in this process)
# for the first one's earlier batch to commit, is a cycle PostgreSQL cannot see; batches
# that only create contacts take no such lock, but a bound turns any surprise into a
# resumable stop instead of a hang.
LANE_LOCK_TIMEOUT = "2min"


async def _write(
    steps: Steps,
    actor: Principal,
    hooks: TenantHooks,
    record_id: uuid.UUID,
    source: CsvSource,
    outcome: ImportOutcome,
    options: ImportOptions,
    progress: Progress,
) -> None:
    """Batch after batch; each commits its rows with the checkpoint (``TransactionPerStep``).

    With extra lanes (each reads its batches' staged rows from the same table), batch k
    is written on lane k mod lanes while the other lanes write
    theirs; batches still *commit* in file order — a batch's vocabulary, audit entry,
    event and checkpoint wait until the previous batch committed — so the checkpoint is
    always the end of a committed prefix of the file. A batch that updates contacts waits
    for the previous commit before it writes anything (it may touch what that one did)."""
    provenance = f"import {record_id}: {source.name}"[:200]
    size, low = options.batch_size, outcome.resumed_from
    bounds = [(b, min(b + size, outcome.last_row)) for b in range(low, outcome.last_row, size)]
    if not bounds:
        # No data row (a header alone, blank lines, or resumed at the end): the import
        # completes with nothing written, like an export of an empty list imported back.
        return
    lanes = [steps, *steps.extra] if not steps.atomic and len(bounds) > 1 else [steps]
    lanes = lanes[: len(bounds)]
    progress.begin("importing", outcome.last_row - low)
    committed = [asyncio.Event() for _ in bounds]

    async def write(number: int, lane: Steps) -> None:
        low, high = bounds[number]
        previous = committed[number - 1] if number else None
        async with lane.step() as session:
            if len(lanes) > 1:
                await session.execute(
                    text("SELECT set_config('lock_timeout', :bound, true)"),
                    {"bound": LANE_LOCK_TIMEOUT},
                )
            batch = await writer.select_batch(
                session, actor.tenant_id, record_id, options.key, low, high)
            if previous is not None and batch.updated:
                await previous.wait()
            await writer.write_rows(session, actor.tenant_id, actor.user_id, batch, provenance)
            if previous is not None:
                with timed("wait for the previous batch"):
                    await previous.wait()
            await writer.add_vocabulary(session, actor.tenant_id, batch)
            with timed("audit, event, checkpoint"):
                if batch.created or batch.updated:
                    counts = {"batch": -(-high // size), "created": batch.created,
                              "updated": batch.updated}
                    await audit.record(
                        session, actor, IMPORT, RECORD_TYPE, record_id,
                        detail={**counts, "rows": [low + 2, high + 1], "file": source.name},
                    )
                    await emit(session, actor, hooks, CONTACTS_IMPORTED, RECORD_TYPE,
                               record_id, {"import_id": str(record_id), **counts})
                await records.checkpoint(
                    session, actor, record_id, expected=low, processed=high,
                    created=batch.created, updated=batch.updated,
                )
        outcome.created += batch.created
        outcome.updated += batch.updated
        progress.advance(high - low)
        committed[number].set()

    async def run_lane(first: int, lane: Steps) -> None:
        for number in range(first, len(bounds), len(lanes)):
            await write(number, lane)

    tasks = [asyncio.create_task(run_lane(i, lane)) for i, lane in enumerate(lanes)]
    await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    failed = [t for t in tasks if t.done() and not t.cancelled() and t.exception()]
    if failed:
        for task in tasks:
            task.cancel()  # a lane waiting for a batch that will never commit
        await asyncio.gather(*tasks, return_exceptions=True)
        raise failed[0].exception()  # type: ignore[misc]


@telemetry.counted_while_running(telemetry.IMPORTS_RUNNING)
async def run_import(
    steps: Steps,
    actor: Principal,
    source: CsvSource,
    options: ImportOptions,
    definitions: Sequence[FieldDefinition],
    hooks: TenantHooks,
    *,
    progress: Progress | None = None,
    executor: Executor | None = None,
    depth: int = 1,
) -> ImportOutcome:
    """Import ``source``; raises ``FileError``/``ColumnError`` (the file), ``ImportRefused``
    (invalid rows, nothing written) or ``ImportStopped`` (resumable)."""
    actor.require_writer()
    progress = progress or NoProgress()
    atomic = steps.atomic
    outcome = ImportOutcome(source.name)
    with timed("fingerprint"):
        scanned = await asyncio.to_thread(fingerprint, source)
    outcome.sha256 = scanned.sha256
    rows = CsvRows(source)
    try:
        plan = await _plan(steps, actor, rows, outcome, options, definitions)
        start = plan.prior.processed_rows if plan.prior else 0
        # Lines estimate rows (a cell may span lines); the bar is a guide, not a count.
        progress.begin("validating", max(scanned.lines - 2 - start, 0))
        await _stage(steps, actor, rows, plan, outcome, options, definitions, progress,
                     executor, depth)
    finally:
        rows.close()
    values = _record_values(source, plan, outcome, options, atomic)
    if options.dry_run:
        async with steps.step() as session:
            record = await records.start(
                session, actor, id=plan.import_id, status=DRY_RUN, created_count=outcome.created,
                updated_count=outcome.updated, **values,
            )
            outcome.import_id, outcome.status = record.id, DRY_RUN
        return outcome
    if outcome.error_count and not options.skip_invalid:
        raise ImportRefused(outcome, f"{outcome.invalid_rows} rows are invalid; nothing was "
                                     "imported (fix them, or skip them with skip_invalid)")
    async with steps.step() as session:
        if plan.prior is None:
            record = await records.start(session, actor, id=plan.import_id, status=RUNNING,
                                         **values)
        else:
            record = plan.prior
            await records.resume(session, actor, record.id)
            outcome.created, outcome.updated = record.created_count, record.updated_count
        outcome.import_id = record.id
    try:
        await _write(steps, actor, hooks, record.id, source, outcome, options, progress)
    except Exception as exc:
        if atomic:
            raise
        reason = (f"{type(exc).__name__}: {exc}".splitlines() or ["failed"])[0]
        try:
            async with steps.step() as session:
                await records.fail(session, actor, record.id, reason)
                await staging.discard(session, actor.tenant_id, record.id)
        except Exception as marking:  # the checkpoint already says where to resume
            log.warning("could not mark the import failed", import_id=str(record.id),
                        error=type(marking).__name__)
        raise ImportStopped(outcome, reason) from exc
    async with steps.step() as session:
        await records.finish(session, actor, record.id)
    outcome.status = COMPLETED
    return outcome
