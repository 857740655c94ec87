"""Field values on records: validate writes, check references, render reads with computed
fields. Every function takes the *visible* definitions, so a disabled plugin's fields are
neither writable nor shown (their stored values are kept)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.fields import types
from rapport.core.fields.definitions import (
    ComputeContext,
    FieldDefinition,
    FieldType,
    RecordView,
    run_compute,
)
from rapport.core.fields.entities import existing_ids, known_entities
from rapport.errors import FieldError, invalid_many


def _name(full_key: str) -> str:
    return f"fields.{full_key}"


def validate_values(
    definitions: Sequence[FieldDefinition], values: Mapping[str, Any], partial: bool
) -> dict[str, Any]:
    """Normal forms of ``values`` (``None`` = clear); 422 naming each bad field and its rule.

    ``partial`` is for updates: fields not sent are left alone, so only sent fields are
    checked, and a required field may not be cleared. On create every required field must
    have a value.
    """
    by_key = {d.full_key: d for d in definitions}
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    for key, value in values.items():
        d = by_key.get(key)
        if d is None:
            errors.append(FieldError(_name(key), "no such field (use the full key, e.g. "
                                                 "custom.shoe_size)"))
            continue
        if d.computed is not None:
            errors.append(FieldError(_name(key), "is computed and read-only"))
            continue
        try:
            out[key] = types.normalise(d, value)
        except types.ValueRuleError as exc:
            errors.append(FieldError(_name(key), str(exc)))
            continue
        if d.required and out[key] is None:
            errors.append(FieldError(_name(key), "is required"))
    if not partial:
        for d in definitions:
            if d.required and d.computed is None and d.full_key not in values:
                errors.append(FieldError(_name(d.full_key), "is required"))
    if errors:
        raise invalid_many(errors)
    return out


async def check_references(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    definitions: Sequence[FieldDefinition],
    values: Mapping[str, Any],
) -> None:
    """Each reference must name an existing record of the caller's own tenant."""
    by_key = {d.full_key: d for d in definitions}
    wanted: dict[str, list[tuple[str, uuid.UUID]]] = {}
    for key, value in values.items():
        d = by_key.get(key)
        if d is not None and d.type == FieldType.REFERENCE and value is not None:
            wanted.setdefault(value["type"], []).append((key, uuid.UUID(value["id"])))
    if not wanted:
        return
    tables = await known_entities(session)
    errors = []
    for entity, refs in wanted.items():
        table_name = tables.get(entity)
        found = (
            await existing_ids(session, table_name, tenant_id, (i for _, i in refs))
            if table_name
            else set()
        )
        errors += [
            FieldError(_name(key), f"no {entity} with id {ident}")
            for key, ident in refs
            if ident not in found
        ]
    if errors:
        raise invalid_many(errors)


async def prepare_values(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    definitions: Sequence[FieldDefinition],
    values: Mapping[str, Any],
    *,
    partial: bool,
) -> dict[str, Any]:
    """``validate_values`` plus the reference checks that need the database."""
    clean = validate_values(definitions, values, partial)
    await check_references(session, tenant_id, definitions, clean)
    return clean


def merge(stored: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """Apply validated changes: ``None`` removes a key, so "empty" is "absent" in SQL too.

    Keys of hidden fields (a disabled plugin's) are left as they are.
    """
    merged = dict(stored)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


async def render(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    definitions: Sequence[FieldDefinition],
    records: Sequence[RecordView],
) -> list[dict[str, Any]]:
    """Each record's ``fields`` as a client sees them: visible stored values + computed ones.

    A computed field runs once per call (one page), not once per record.
    """
    stored_keys = {d.full_key for d in definitions if d.computed is None}
    out = [{k: v for k, v in r.fields.items() if k in stored_keys} for r in records]
    # Formulas see what the client sees: no values of hidden (disabled plugins') fields.
    visible = [replace(r, fields=dict(shown)) for r, shown in zip(records, out, strict=True)]
    context = ComputeContext(session, tenant_id, visible)
    for d in definitions:
        if d.computed is None or not records:
            continue
        for shown, value in zip(out, await run_compute(d.computed, context), strict=True):
            if value is not None:
                shown[d.full_key] = value
    return out
