"""What a custom field is: one frozen definition, whoever declared it (tenant admin or plugin)."""

from __future__ import annotations

import inspect
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.ext.asyncio import AsyncSession

# The owner tenant admins' fields live under; plugins may never use it.
TENANT_OWNER = "custom"
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# Mirrored by the SQL index functions in migration 0002: keys end up inside index DDL.
FULL_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
MAX_OWNER_LENGTH = 30
MAX_KEY_LENGTH = 40
MAX_OPTIONS = 200
MAX_OPTION_LENGTH = 100


class FieldType(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    ENUM = "enum"
    MULTI_ENUM = "multi_enum"
    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    REFERENCE = "reference"


CHOICE_TYPES = frozenset({FieldType.ENUM, FieldType.MULTI_ENUM})


@dataclass(frozen=True)
class RecordView:
    """What a computed field sees of one record: its id, core attributes and stored values."""

    id: uuid.UUID
    entity: str
    attributes: Mapping[str, Any]
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class ComputeContext:
    """One page of records. Computed fields get the whole page so a rollup is one query."""

    session: AsyncSession
    tenant_id: uuid.UUID
    records: Sequence[RecordView]


# Returns one value per record, in the order of ``context.records``; may be async.
Compute = Callable[[ComputeContext], Sequence[Any] | Awaitable[Sequence[Any]]]


@dataclass(frozen=True)
class FieldDefinition:
    """A field on an entity. ``full_key`` (``owner.key``) is how records and filters name it."""

    owner: str
    key: str
    entity: str
    type: FieldType
    label: str
    options: tuple[str, ...] = ()
    required: bool = False
    indexed: bool = False
    computed: Compute | None = None

    def __post_init__(self) -> None:
        # Plugins may write ``type="integer"`` or a list of options; store the canonical forms.
        if not isinstance(self.type, FieldType) and self.type in FieldType.__members__.values():
            object.__setattr__(self, "type", FieldType(self.type))
        object.__setattr__(self, "options", tuple(self.options))
        # Plugins declare definitions in code: fail at load time, not on a customer's request.
        problems = definition_problems(self)
        if problems:
            raise ValueError(f"field {self.owner}.{self.key}: " + "; ".join(problems))

    @property
    def full_key(self) -> str:
        return f"{self.owner}.{self.key}"

    @property
    def read_only(self) -> bool:
        return self.computed is not None


def definition_problems(d: FieldDefinition) -> list[str]:
    problems = []
    if not (NAME_RE.match(d.owner) and len(d.owner) <= MAX_OWNER_LENGTH):
        problems.append(f"owner must match {NAME_RE.pattern}, at most {MAX_OWNER_LENGTH} chars")
    if not (NAME_RE.match(d.key) and len(d.key) <= MAX_KEY_LENGTH):
        problems.append(f"key must match {NAME_RE.pattern}, at most {MAX_KEY_LENGTH} chars")
    if not NAME_RE.match(d.entity):
        problems.append("entity must be a lower-case name")
    if not isinstance(d.type, FieldType):
        problems.append(f"type must be one of {', '.join(FieldType)}")
    if d.type in CHOICE_TYPES and not d.options:
        problems.append("enum fields need options")
    if d.type not in CHOICE_TYPES and d.type != FieldType.REFERENCE and d.options:
        problems.append("only enum, multi_enum and reference fields take options")
    if len(set(d.options)) != len(d.options):
        problems.append("options must be distinct")
    if d.computed is not None and (d.required or d.indexed):
        problems.append("a computed field can be neither required nor indexed")
    if d.type == FieldType.LONG_TEXT and d.indexed:
        problems.append("long text cannot be indexed")
    return problems


def check_plugin_fields(definitions: Iterable[FieldDefinition]) -> tuple[FieldDefinition, ...]:
    """Refuse what a plugin may not declare: the tenant owner, or one full key twice."""
    seen: set[tuple[str, str]] = set()
    out = []
    for d in definitions:
        if d.owner == TENANT_OWNER:
            raise ValueError(f"field {d.full_key}: owner {TENANT_OWNER!r} is reserved for tenants")
        if (d.entity, d.full_key) in seen:
            raise ValueError(f"field {d.full_key} on {d.entity} is declared twice")
        seen.add((d.entity, d.full_key))
        out.append(d)
    return tuple(out)


def formula(fn: Callable[[RecordView], Any]) -> Compute:
    """A computed field from a per-record function, e.g. ``formula(lambda r: ...)``."""

    def compute(context: ComputeContext) -> list[Any]:
        return [fn(record) for record in context.records]

    return compute


def rollup(
    query: Callable[[Sequence[uuid.UUID]], Select[Any]], *, default: Any = None
) -> Compute:
    """A computed field aggregated from other rows, one query per page.

    ``query(ids)`` returns ``(record_id, value)`` rows, e.g.
    ``select(Txn.contact_id, func.sum(Txn.amount)).where(Txn.contact_id.in_(ids))
    .group_by(Txn.contact_id)``. It runs in the request's tenant session, so both the
    session's tenant criteria and RLS apply.
    """

    async def compute(context: ComputeContext) -> list[Any]:
        ids = [r.id for r in context.records]
        if not ids:
            return []
        rows = (await context.session.execute(query(ids))).all()
        found = {row[0]: row[1] for row in rows}
        return [found.get(i, default) for i in ids]

    return compute


async def run_compute(compute: Compute, context: ComputeContext) -> Sequence[Any]:
    result = compute(context)
    if inspect.isawaitable(result):
        result = await result
    values = list(result)
    if len(values) != len(context.records):
        raise RuntimeError("a computed field returned a different number of values than records")
    return values
