"""HTTP doors: ``POST /api/v1/imports`` (a CSV body, imported atomically in the request),
the import records, and ``GET /api/v1/contacts/export`` (a streamed CSV or JSON lines)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import (
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.params import FromPath, QueryParameter, RawBody
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit
from rapport.core.contacts import preferences
from rapport.core.contacts.controllers import Filters, Region, SortParam
from rapport.core.contacts.listing import ENTITY, list_statement
from rapport.core.contacts.search import query as search
from rapport.core.contacts.search.query import MAX_QUERY
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.service import visible_fields
from rapport.core.imports import export, records, runner
from rapport.core.imports.columns import ColumnError, Key, parse_mapping
from rapport.core.imports.schemas import ImportList, ImportOut
from rapport.core.imports.source import CsvSource, FileError, data_rows
from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.db.base import new_id
from rapport.errors import FieldError, RapportError, invalid_many
from rapport.hooks import TenantHooks
from rapport.hooks.filters import CONTACT_FILTER_OPT, ContactFilter
from rapport.tenancy.principal import Principal

# A CSV of this size holds some 150,000 contacts; bigger files go through the CLI.
MAX_UPLOAD = 20 * 1024 * 1024
CSV_TYPES = ("text/csv", "application/csv")
EXPORT = "export"


@dataclass
class CsvUpload(Operation):
    """The operation with its CSV request body (the handler reads the raw body itself)."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            content={"text/csv": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))},
            description="UTF-8 CSV (a byte-order mark is fine); the first row names the columns",
            required=True,
        )
        created = (self.responses or {}).get("201")
        if isinstance(created, OpenAPIResponse):
            # A dry run answers 200 with the same record, and nothing saved.
            self.responses = {**(self.responses or {}), "200": OpenAPIResponse(
                description="Dry run: what the import would do; nothing was saved",
                content=created.content,
            )}


@dataclass
class ContactFile(Operation):
    """The export's answer: a CSV or JSON-lines file, as ``format`` asks."""

    def __post_init__(self) -> None:
        text = Schema(type=OpenAPIType.STRING)
        self.responses = {**(self.responses or {}), "200": OpenAPIResponse(
            description="The contacts, one per row (CSV, with a header) or line (JSON lines)",
            headers={"Content-Disposition": OpenAPIHeader(schema=text)},
            content={
                "text/csv": OpenAPIMediaType(schema=text),
                "application/x-ndjson": OpenAPIMediaType(schema=text),
            },
        )}


def _refusal(exc: runner.ImportRefused) -> RapportError:
    outcome = exc.outcome
    rows = [e.as_dict() for e in outcome.errors]
    return RapportError(
        detail=str(exc),
        status=422,
        title="Validation failed",
        errors=[FieldError(f"row {e.row}: {e.column}", e.message) for e in outcome.errors],
        extra={"rows": rows, "error_count": outcome.error_count,
               "invalid_rows": outcome.invalid_rows, "total_rows": outcome.total_rows},
    )


def _file_problem(exc: FileError | ColumnError) -> RapportError:
    if isinstance(exc, ColumnError):
        return invalid_many([FieldError(column, message) for column, message in exc.problems])
    return invalid_many([FieldError("body", str(exc))])


class ImportController(Controller):
    path = "/api/v1/imports"
    tags = ["imports"]

    @get("/")
    async def list_imports(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> ImportList:
        """The tenant's imports, newest first; pass ``next_cursor`` back as ``cursor``."""
        page = await records.page(db, principal, cursor=cursor, limit=limit)
        return ImportList([ImportOut.of(r) for r in page.items], page.next_cursor)

    @get("/{import_id:uuid}")
    async def get_import(
        self,
        import_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> ImportOut:
        """One import: its status, checkpoint, counts and first errors."""
        return ImportOut.of(await records.get(db, principal, import_id))

    @post("/", status_code=201, request_max_body_size=MAX_UPLOAD, operation_class=CsvUpload)
    async def import_contacts(
        self,
        request: Request[Any, Any, Any],
        body: RawBody,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        room: NamedDependency[Any],
        key: Annotated[Key, QueryParameter(description="Match contacts by this value")] = (
            "external_id"
        ),
        dry_run: Annotated[bool, QueryParameter()] = False,
        skip_invalid: Annotated[bool, QueryParameter()] = False,
        mapping: Annotated[
            list[str] | None,
            QueryParameter(max_items=300, description='Repeatable "File header=column"'),
        ] = None,
        region: Region = None,
        name: Annotated[str, QueryParameter(max_length=255, pattern=r"^[^\x00/\\]+$",
                                            description="The file's name")] = "upload.csv",
    ) -> Response[ImportOut]:
        """Import contacts from a CSV body, atomically: 201 with the summary; a dry run
        answers 200 with what it would do and each row's errors; invalid rows answer 422
        with each row's errors and nothing is written."""
        principal.require_writer()
        media = (request.content_type[0] or "").lower()
        if media not in CSV_TYPES:
            raise RapportError(detail="send the file as text/csv", status=415,
                               title="Unsupported media type")
        try:
            options = runner.ImportOptions(
                key=key, mapping=parse_mapping(mapping or ()), dry_run=dry_run,
                skip_invalid=skip_invalid, continue_unfinished=False,
                region=preferences.region_code(region),
            )
            source = CsvSource.from_bytes(name, body)
            if not dry_run:
                # Refused before anything is written when every row becoming a new contact
                # would pass the plan's contacts limit (rows are counted only when one applies).
                await room(db, principal.tenant_id, "contacts", lambda: data_rows(source))
            definitions = await visible_fields(db, principal, plugin_fields, ENTITY)
            outcome = await runner.run_import(
                runner.OneTransaction(db), principal, source, options,
                definitions, hooks,
            )
        except (FileError, ColumnError) as exc:
            raise _file_problem(exc) from exc
        except runner.ImportRefused as exc:
            raise _refusal(exc) from exc
        assert outcome.import_id is not None
        record = await records.get(db, principal, outcome.import_id)
        return Response(ImportOut.of(record), status_code=200 if dry_run else 201)


class ContactExportController(Controller):
    path = "/api/v1/contacts/export"
    tags = ["contacts"]

    @get("/", operation_class=ContactFile, opt={CONTACT_FILTER_OPT: True})
    async def export_contacts(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        contact_filters: NamedDependency[Mapping[str, ContactFilter]],
        file_format: Annotated[
            Literal["csv", "jsonl"], QueryParameter(name="format", description="csv or jsonl")
        ] = "csv",
        q: Annotated[str | None, QueryParameter(max_length=MAX_QUERY)] = None,
        filters: Filters = None,
        sort: SortParam = None,
    ) -> Stream:
        """Every contact matching the list's ``q``, ``filter`` and ``sort``, streamed with
        the import's columns (an export imports back to the same contacts). Not for
        viewers: bulk data leaves the system, and each export is in the audit log."""
        principal.require_writer()
        definitions = await visible_fields(db, principal, plugin_fields, ENTITY)
        plan = await search.plan(db, principal.tenant_id, q)
        # Built once here so a bad filter or sort is a 400 before the stream starts.
        list_statement(principal.tenant_id, definitions, filters=filters or (), sort=sort,
                       search_plan=plan, contributed=contact_filters)
        await audit.record(
            db, principal, EXPORT, ENTITY, new_id(),
            detail={"format": file_format, "filters": list(filters or ()), "q": q,
                    "sort": sort},
        )
        body = export.stream(
            request.app.state.sessionmaker, principal.tenant_id, principal.user_id,
            definitions, file_format, filters=filters or (), sort=sort, plan=plan,
            contributed=contact_filters,
        )
        suffix = "csv" if file_format == "csv" else "jsonl"
        return Stream(
            body,
            media_type=export.MEDIA_TYPES[file_format],
            headers={"Content-Disposition": f'attachment; filename="contacts.{suffix}"'},
        )
