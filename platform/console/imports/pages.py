"""The import screens — upload, column mapping, dry run, the import with its progress bar,
the result — and the export link. Imports go through ``rapport.core.imports.runner``, the
service behind ``POST /api/v1/imports`` and ``rapport import contacts``; the export link is
the API's own ``GET /api/v1/contacts/export`` (the session cookie signs it in)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.console.imports import jobs
from rapport.core.contacts.listing import ENTITY
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.service import visible_fields
from rapport.core.imports import records, runner
from rapport.core.imports.columns import (
    CORE_COLUMNS,
    IGNORED,
    KEYS,
    ColumnError,
    Key,
    importable_fields,
)
from rapport.core.imports.controllers import MAX_UPLOAD
from rapport.core.imports.source import CsvRows, CsvSource, FileError
from rapport.errors import not_found
from rapport.hooks import Fragment, Screen, TenantHooks
from rapport.tenancy.principal import Principal

RECENT = 10
TITLE = N_("Import and export")
MAPPING = N_("Map the columns")
PROGRESS = N_("Importing")
RESULT = N_("The import's record")
PHASES = {"starting": N_("Starting…"), "validating": N_("Checking rows…"),
          "importing": N_("Importing rows…")}
STATUSES = {"running": N_("running"), "completed": N_("completed"), "failed": N_("failed"),
            "dry_run": N_("dry run")}


async def _definitions(db: AsyncSession, principal: Principal,
                       plugin_fields: Sequence[FieldDefinition]) -> list[FieldDefinition]:
    return list(await visible_fields(db, principal, plugin_fields, ENTITY))


def _targets(definitions: Sequence[FieldDefinition]) -> list[str]:
    return [*CORE_COLUMNS, *sorted(importable_fields(definitions))]


def _header(source: CsvSource) -> list[str]:
    rows = CsvRows(source)
    try:
        return list(rows.header)
    finally:
        rows.close()


def _guess(header: str, targets: Sequence[str]) -> str:
    folded = header.strip().lower()
    return folded if folded in targets else IGNORED


async def _index(db: AsyncSession, principal: Principal, errors: Mapping[str, str],
                 status: int = 200) -> Screen:
    recent = await records.page(db, principal, cursor=None, limit=RECENT)
    return Screen("console/imports/index.html", TITLE,
                  {"recent": recent.items, "errors": errors, "statuses": STATUSES},
                  status=status)


@get("/imports")
async def imports_home(principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession]) -> Screen:
    principal.require_writer()
    return await _index(db, principal, {})


@post("/imports", request_max_body_size=MAX_UPLOAD)
async def upload_file(request: Request, principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession]) -> Screen | Response[str]:
    principal.require_writer()
    form = await request.form()
    sent = form.get("file")
    data = await sent.read() if isinstance(sent, UploadFile) else b""
    if not data:
        return await _index(db, principal, {"file": N_("Choose a CSV file.")}, status=422)
    name = (sent.filename if isinstance(sent, UploadFile) else "") or "upload.csv"
    token = jobs.save(principal, name.replace("/", "_")[:255], data)
    return redirect(request, f"/imports/files/{token}")


def _source(principal: Principal, token: uuid.UUID) -> CsvSource:
    source = jobs.upload(principal, token)
    if source is None:
        raise not_found("Upload")
    return source


def _chosen(form: Mapping[str, Any], headers: Sequence[str]) -> dict[str, str]:
    return {h.strip(): str(form.get(f"col-{i}", IGNORED)) for i, h in enumerate(headers)
            if h.strip()}


async def _mapping_screen(
    principal: Principal, db: AsyncSession, plugin_fields: Sequence[FieldDefinition],
    token: uuid.UUID, *, chosen: Mapping[str, str] | None = None, key: str = "external_id",
    skip_invalid: bool = False, result: Any = None, problems: Sequence[tuple[str, str]] = (),
    status: int = 200,
) -> Screen:
    source = _source(principal, token)
    targets = _targets(await _definitions(db, principal, plugin_fields))
    try:
        headers = _header(source)
    except FileError as exc:
        headers, problems = [], [*problems, ("file", str(exc))]
    columns = [(i, h, (chosen or {}).get(h.strip(), _guess(h, targets)))
               for i, h in enumerate(headers)]
    return Screen("console/imports/mapping.html", MAPPING, {
        "token": token, "file_name": source.name, "columns": columns, "targets": targets,
        "keys": KEYS, "key": key, "skip_invalid": skip_invalid, "result": result,
        "problems": problems,
    }, status=status)


@get("/imports/files/{token:uuid}")
async def import_file(token: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession],
                      plugin_fields: NamedDependency[Sequence[FieldDefinition]]) -> Screen:
    principal.require_writer()
    return await _mapping_screen(principal, db, plugin_fields, token)


async def _options(request: Request, source: CsvSource, *, dry_run: bool) -> tuple[
        runner.ImportOptions, dict[str, str], str, bool]:
    form = await request.form()
    chosen = _chosen(form, _header(source))
    key: Key = "email" if form.get("key") == "email" else "external_id"
    skip = form.get("skip_invalid") == "on"
    options = runner.ImportOptions(
        key=key,
        mapping=chosen, dry_run=dry_run, skip_invalid=skip, continue_unfinished=not dry_run,
        batch_size=jobs.BATCH,
    )
    return options, chosen, key, skip


@post("/imports/files/{token:uuid}/check")
async def check_file(
    request: Request, token: FromPath[uuid.UUID], principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession], hooks: NamedDependency[TenantHooks],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
) -> Screen:
    """The dry run: every row checked (the API's ``dry_run=true``), nothing imported."""
    principal.require_writer()
    source = _source(principal, token)
    try:
        options, chosen, key, skip = await _options(request, source, dry_run=True)
    except FileError as exc:
        return await _mapping_screen(principal, db, plugin_fields, token,
                                     problems=[("file", str(exc))], status=422)
    definitions = await _definitions(db, principal, plugin_fields)
    try:
        outcome = await runner.run_import(runner.OneTransaction(db), principal, source,
                                          options, definitions, hooks)
    except ColumnError as exc:
        return await _mapping_screen(principal, db, plugin_fields, token, chosen=chosen,
                                     key=key, skip_invalid=skip, problems=exc.problems,
                                     status=422)
    except (FileError, runner.ImportRefused) as exc:
        return await _mapping_screen(principal, db, plugin_fields, token, chosen=chosen,
                                     key=key, skip_invalid=skip,
                                     problems=[("file", str(exc))], status=422)
    return await _mapping_screen(principal, db, plugin_fields, token, chosen=chosen, key=key,
                                 skip_invalid=skip, result=outcome)


@post("/imports/files/{token:uuid}/run")
async def run_file(
    request: Request, token: FromPath[uuid.UUID], principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession], hooks: NamedDependency[TenantHooks],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
) -> Screen | Response[str]:
    """Start the import after this request; the answer is the progress page."""
    principal.require_writer()
    source = _source(principal, token)
    options, *_ = await _options(request, source, dry_run=False)
    definitions = await _definitions(db, principal, plugin_fields)
    url = request.app.state.sessionmaker.kw["bind"].url
    running = jobs.start(url, request.app.state.sessionmaker, principal, token, source,
                         options, definitions, hooks)
    return redirect(request, f"/imports/jobs/{running.id}")


@get("/imports/jobs/{job_id:uuid}")
async def import_job(request: Request, job_id: FromPath[uuid.UUID],
                     principal: NamedDependency[Principal],
                     db: NamedDependency[AsyncSession]) -> Screen | Fragment:
    """The progress bar; htmx polls this every second until the import ends."""
    running = await jobs.shared_job(db, principal, job_id)
    if running is None:
        raise not_found("Import")
    record = None
    if running.finished and running.import_id is not None:
        record = await records.get(db, principal, running.import_id)
    context = {"job": running, "record": record, "phases": PHASES, "statuses": STATUSES}
    if request.headers.get("hx-request") == "true":
        return Fragment("console/imports/progress.html", context)
    return Screen("console/imports/job.html", PROGRESS, context)


@get("/imports/{import_id:uuid}")
async def import_record(import_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                        db: NamedDependency[AsyncSession]) -> Screen:
    record = await records.get(db, principal, import_id)  # 404 for another tenant's
    return Screen("console/imports/record.html", RESULT,
                  {"record": record, "statuses": STATUSES})
