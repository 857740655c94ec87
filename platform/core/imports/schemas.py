"""Import shapes at the edge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from rapport.core.imports.models import ContactImport


class RowErrorOut(msgspec.Struct):
    row: int
    column: str
    message: str


class ImportOut(msgspec.Struct):
    id: uuid.UUID
    status: str
    file_name: str
    sha256: str
    key: str
    mapping: dict[str, str]
    dry_run: bool
    skip_invalid: bool
    atomic: bool
    total_rows: int
    processed_rows: int
    # For a dry run: what the import would create and update.
    created: int
    updated: int
    duplicates: int
    error_count: int
    errors: list[RowErrorOut]
    failure: str | None
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, record: ContactImport) -> ImportOut:
        return cls(
            id=record.id,
            status=record.status,
            file_name=record.file_name,
            sha256=record.sha256,
            key=record.key,
            mapping=dict(record.mapping or {}),
            dry_run=record.dry_run,
            skip_invalid=record.skip_invalid,
            atomic=record.atomic,
            total_rows=record.total_rows,
            processed_rows=record.processed_rows,
            created=record.created_count,
            updated=record.updated_count,
            duplicates=record.duplicate_count,
            error_count=record.error_count,
            errors=[RowErrorOut(**_error(e)) for e in record.errors or []],
            failure=record.failure,
            created_by=record.created_by,
            created_at=record.created_at,
            updated_at=record.updated_at,
            finished_at=record.finished_at,
        )


def _error(item: dict[str, Any]) -> dict[str, Any]:
    return {"row": int(item["row"]), "column": str(item["column"]),
            "message": str(item["message"])}


class ImportList(msgspec.Struct):
    items: list[ImportOut]
    next_cursor: str | None
