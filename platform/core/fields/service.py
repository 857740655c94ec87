"""Field definition actions: tenant admins manage ``custom.*`` fields; plugins' come from code.

Reading definitions is open to every member (forms need them); changing them needs an
owner or admin. Every lookup is scoped by the acting principal's tenant.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.fields import indexes
from rapport.core.fields.definitions import (
    CHOICE_TYPES,
    MAX_KEY_LENGTH,
    MAX_OPTION_LENGTH,
    MAX_OPTIONS,
    NAME_RE,
    TENANT_OWNER,
    FieldDefinition,
    FieldType,
    check_plugin_fields,
)
from rapport.core.fields.entities import known_entities, record_table
from rapport.core.fields.models import CustomField
from rapport.core.fields.values import merge, prepare_values, render, validate_values
from rapport.errors import FieldError, conflict, forbidden, invalid_many, not_found
from rapport.tenancy.config_cache import TenantConfigCache, written
from rapport.tenancy.principal import Principal

MAX_FIELDS_PER_ENTITY = 200
# Each indexed field adds index entries to every write of a record.
MAX_INDEXED_PER_ENTITY = 10
MAX_LABEL = 200

__all__ = [
    "create_field",
    "delete_field",
    "find_field",
    "merge",
    "prepare_values",
    "render",
    "update_field",
    "validate_values",
    "visible_fields",
]


def definition_of(row: CustomField) -> FieldDefinition:
    return FieldDefinition(
        owner=TENANT_OWNER,
        key=row.key,
        entity=row.entity,
        type=FieldType(row.type),
        label=row.label,
        options=tuple(row.options or ()),
        required=row.required,
        indexed=row.indexed,
    )


async def _rows(session: AsyncSession, actor: Principal, entity: str | None) -> list[CustomField]:
    query = select(CustomField).where(CustomField.tenant_id == actor.tenant_id)
    if entity is not None:
        query = query.where(CustomField.entity == entity)
    return list((await session.execute(query.order_by(CustomField.full_key))).scalars())


# The tenant's own definitions per entity (None: all), as immutable tuples.
_TENANT_FIELDS: TenantConfigCache[tuple[FieldDefinition, ...]] = TenantConfigCache("fields")


async def tenant_fields(
    session: AsyncSession, actor: Principal, entity: str | None
) -> tuple[FieldDefinition, ...]:
    """The tenant's own field definitions, from this process's copy while it is current."""

    async def load() -> tuple[FieldDefinition, ...]:
        return tuple(definition_of(r) for r in await _rows(session, actor, entity))

    return await _TENANT_FIELDS.get(session, actor.tenant_id, entity, load)


async def visible_fields(
    session: AsyncSession,
    actor: Principal,
    plugin_fields: Sequence[FieldDefinition],
    entity: str | None = None,
) -> tuple[FieldDefinition, ...]:
    """The caller's tenant's own fields and the (already per-tenant) visible plugin fields."""
    plugins = [d for d in check_plugin_fields(plugin_fields) if entity in (None, d.entity)]
    tenant = await tenant_fields(session, actor, entity)
    return tuple(sorted([*plugins, *tenant], key=lambda d: (d.entity, d.full_key)))


def _check_options(
    field_type: FieldType, options: Any, entities: dict[str, str]
) -> tuple[list[str], list[FieldError]]:
    if options is None:
        options = []
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        return [], [FieldError("options", "must be a list of strings")]
    options = [o.strip() for o in options]
    if field_type in CHOICE_TYPES:
        if not options:
            return [], [FieldError("options", f"{field_type} fields need at least one option")]
        if len(options) > MAX_OPTIONS or any(not 1 <= len(o) <= MAX_OPTION_LENGTH for o in options):
            return [], [FieldError("options", f"at most {MAX_OPTIONS} options of 1 to "
                                              f"{MAX_OPTION_LENGTH} characters")]
        if any("," in o for o in options):
            # A filter's "in" list is comma-separated; an option with a comma could not be named.
            return [], [FieldError("options", "options may not contain commas")]
        if len(set(options)) != len(options):
            return [], [FieldError("options", "options must be distinct")]
    elif field_type == FieldType.REFERENCE:
        unknown = [o for o in options if o not in entities]
        if unknown:
            return [], [FieldError("options", "unknown entities: " + ", ".join(unknown))]
        if len(set(options)) != len(options):
            return [], [FieldError("options", "options must be distinct")]
    elif options:
        return [], [FieldError("options", f"{field_type} fields take no options")]
    return options, []


def _check_label(label: Any) -> tuple[str, list[FieldError]]:
    if not isinstance(label, str) or not 1 <= len(label.strip()) <= MAX_LABEL:
        return "", [FieldError("label", f"must be 1 to {MAX_LABEL} characters")]
    return label.strip(), []


async def _check_capacity(
    session: AsyncSession, actor: Principal, entity: str, *, adding: bool, indexing: bool
) -> list[FieldError]:
    counts = (
        await session.execute(
            select(func.count(), func.count().filter(CustomField.indexed)).where(
                CustomField.tenant_id == actor.tenant_id, CustomField.entity == entity
            )
        )
    ).one()
    errors = []
    if adding and counts[0] >= MAX_FIELDS_PER_ENTITY:
        errors.append(FieldError("key", f"at most {MAX_FIELDS_PER_ENTITY} fields per entity"))
    if indexing and counts[1] >= MAX_INDEXED_PER_ENTITY:
        errors.append(
            FieldError("indexed", f"at most {MAX_INDEXED_PER_ENTITY} indexed fields per entity")
        )
    return errors


async def create_field(
    session: AsyncSession, actor: Principal, data: dict[str, Any]
) -> CustomField:
    actor.require_manager()
    written(session)
    errors: list[FieldError] = []
    key = data.get("key")
    if not isinstance(key, str) or not NAME_RE.match(key) or len(key) > MAX_KEY_LENGTH:
        errors.append(FieldError(
            "key",
            f"1 to {MAX_KEY_LENGTH} lower-case letters, digits or underscores, starting with "
            f"a letter; no owner prefix (the full key becomes {TENANT_OWNER}.<key>)",
        ))
    entities = await known_entities(session)
    entity = data.get("entity")
    if entity not in entities:
        errors.append(FieldError("entity", "must be one of: " + ", ".join(sorted(entities))))
    try:
        field_type = FieldType(data.get("type", ""))  # ValueError for anything else too
    except ValueError:
        raise invalid_many(
            [*errors, FieldError("type", "must be one of: " + ", ".join(FieldType))]
        ) from None
    label, label_errors = _check_label(data.get("label"))
    options, option_errors = _check_options(field_type, data.get("options"), entities)
    errors += label_errors + option_errors
    indexed = bool(data.get("indexed"))
    if indexed and field_type == FieldType.LONG_TEXT:
        errors.append(FieldError("indexed", "long text cannot be indexed"))
    if errors:
        raise invalid_many(errors)
    assert isinstance(key, str) and isinstance(entity, str)
    capacity = await _check_capacity(session, actor, entity, adding=True, indexing=indexed)
    if capacity:
        raise invalid_many(capacity)
    row = CustomField(
        tenant_id=actor.tenant_id,
        entity=entity,
        key=key,
        full_key=f"{TENANT_OWNER}.{key}",
        type=field_type.value,
        label=label,
        options=options,
        required=bool(data.get("required")),
        indexed=indexed,
    )
    session.add(row)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        # The unique key includes tenant_id: this is about the caller's own fields.
        raise conflict(f"Field {row.full_key} already exists on {entity}") from exc
    if indexed:
        await indexes.index_field(session, actor.tenant_id, entity, row.full_key, field_type)
    await session.refresh(row)
    return row


def _tenant_key(key: str) -> str:
    return key.removeprefix(f"{TENANT_OWNER}.")


async def find_field(
    session: AsyncSession,
    actor: Principal,
    key: str,
    entity: str,
    plugin_fields: Sequence[FieldDefinition],
) -> CustomField:
    """The tenant's own field ``key`` (or ``custom.key``); a plugin's key is refused."""
    if any(d.full_key == key and d.entity == entity for d in plugin_fields):
        raise forbidden(f"{key} is defined by a plugin; change it there, not here")
    row = (
        await session.execute(
            select(CustomField).where(
                CustomField.tenant_id == actor.tenant_id,
                CustomField.entity == entity,
                CustomField.key == _tenant_key(key),
            )
        )
    ).scalar_one_or_none()
    if row is None:
        raise not_found("Field")
    return row


async def update_field(
    session: AsyncSession,
    actor: Principal,
    key: str,
    entity: str,
    changes: dict[str, Any],
    plugin_fields: Sequence[FieldDefinition],
) -> CustomField:
    """Label, options, required and indexed may change; key, entity and type may not
    (stored values were validated against them)."""
    actor.require_manager()
    written(session)
    row = await find_field(session, actor, key, entity, plugin_fields)
    fixed = [f for f in ("key", "entity", "type") if f in changes]
    if fixed:
        raise invalid_many([FieldError(f, "cannot be changed; create a new field") for f in fixed])
    errors: list[FieldError] = []
    field_type = FieldType(row.type)
    if "label" in changes:
        row.label, label_errors = _check_label(changes["label"])
        errors += label_errors
    if "options" in changes:
        entities = await known_entities(session)
        row.options, option_errors = _check_options(field_type, changes["options"], entities)
        errors += option_errors
    if "required" in changes:
        row.required = bool(changes["required"])
    was_indexed = row.indexed
    if "indexed" in changes:
        wanted = bool(changes["indexed"])
        if wanted and field_type == FieldType.LONG_TEXT:
            errors.append(FieldError("indexed", "long text cannot be indexed"))
        elif wanted and not was_indexed:
            errors += await _check_capacity(session, actor, entity, adding=False, indexing=True)
        row.indexed = wanted
    if errors:
        raise invalid_many(errors)
    await session.flush()
    if row.indexed and not was_indexed:
        await indexes.index_field(session, actor.tenant_id, entity, row.full_key, field_type)
    elif was_indexed and not row.indexed:
        await indexes.unindex_field(session, actor.tenant_id, entity, row.full_key)
    await session.refresh(row)
    return row


async def delete_field(
    session: AsyncSession,
    actor: Principal,
    key: str,
    entity: str,
    plugin_fields: Sequence[FieldDefinition],
) -> None:
    """Remove the definition and its values from every record of the tenant, so a later field
    with the same key (maybe another type) starts empty."""
    actor.require_manager()
    written(session)
    row = await find_field(session, actor, key, entity, plugin_fields)
    full_key, indexed = row.full_key, row.indexed
    await session.delete(row)
    await session.flush()
    records = record_table((await known_entities(session))[entity])
    fields = records.c.fields
    await session.execute(
        update(records)
        .where(records.c.tenant_id == actor.tenant_id, fields.has_key(full_key))
        .values(fields=fields.op("-", return_type=JSONB)(full_key))
    )
    if indexed:
        await indexes.unindex_field(session, actor.tenant_id, entity, full_key)


async def count_values(
    session: AsyncSession,
    actor: Principal,
    key: str,
    entity: str,
    plugin_fields: Sequence[FieldDefinition],
) -> int:
    """How many of the tenant's records hold a value of its field ``key`` (what deleting the
    field would erase; the console's confirmation says it). Trashed records count too: a
    restore would bring their values back otherwise."""
    row = await find_field(session, actor, key, entity, plugin_fields)
    records = record_table((await known_entities(session))[entity])
    found = await session.execute(
        select(func.count()).select_from(records).where(
            records.c.tenant_id == actor.tenant_id, records.c.fields.has_key(row.full_key)
        )
    )
    return int(found.scalar_one())
