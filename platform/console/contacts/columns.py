"""What the contact list can show and filter by: its columns (core values and custom
fields), which cells may be edited in place, and the list's state in the address
(``q``, ``filter``, ``sort``, ``col``) as the API's own grammar."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.i18n import N_
from rapport.core.fields.definitions import FieldDefinition, FieldType
from rapport.tenancy.members import list_members
from rapport.tenancy.principal import Principal

# Custom field types a cell edits with one text box (or a choice).
EDITABLE_TYPES = frozenset({
    FieldType.TEXT, FieldType.INTEGER, FieldType.DECIMAL, FieldType.DATE, FieldType.ENUM,
    FieldType.EMAIL, FieldType.PHONE, FieldType.URL,
})
OPS = ("eq", "ne", "contains", "in", "lt", "lte", "gt", "gte", "is_empty")
OP_LABELS = {
    "eq": N_("is"), "ne": N_("is not"), "contains": N_("contains"), "in": N_("is any of"),
    "lt": N_("before / less than"), "lte": N_("up to"), "gt": N_("after / more than"),
    "gte": N_("from"), "is_empty": N_("is empty"),
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    patch: str | None = None  # the PATCH key an inline edit writes; None: not editable
    kind: str = "text"  # the input: text, date, tags, owner, choice
    options: tuple[str, ...] = ()
    sortable: str | None = None  # the API's sort key
    filterable: str | None = None  # the API's filter field
    custom: FieldDefinition | None = field(default=None, compare=False)


CORE = (
    Column("email", N_("E-mail"), "email", filterable="email", sortable="email"),
    Column("phone", N_("Phone")),
    Column("tags", N_("Tags"), "tags", "tags", filterable="tags"),
    Column("owner", N_("Owner"), "owner_id", "owner", filterable="owner_id",
           sortable="owner_id"),
    Column("source", N_("Source"), "source", filterable="source", sortable="source"),
    Column("language", N_("Language"), "language", filterable="language",
           sortable="language"),
    Column("birthday", N_("Birthday"), "birthday", "date", filterable="birthday",
           sortable="birthday"),
    # When campaigns sent "in each contact's window" may reach the person.
    Column("time_zone", N_("Time zone"), "time_zone"),
    Column("send_window", N_("Sending window"), "send_window"),
    Column("external_id", N_("External id"), "external_id", filterable="external_id",
           sortable="external_id"),
    Column("created_at", N_("Added"), filterable="created_at", sortable="created_at"),
)
DEFAULT = ("email", "phone", "tags")
# Filter fields beyond the columns (names are the list's first column).
NAME_FILTERS = (
    ("given_name", N_("Given name")), ("family_name", N_("Family name")),
    ("display_name", N_("Name")), ("organization", N_("Organization (id)")),
    ("updated_at", N_("Changed")),
)
SORTS = (("given_name", N_("Given name")), ("family_name", N_("Family name")),
         ("display_name", N_("Name")), ("updated_at", N_("Changed")))


def available(definitions: Sequence[FieldDefinition]) -> list[Column]:
    """The core columns, then each visible custom field of contacts."""
    custom = [
        Column(
            d.full_key, d.label,
            f"fields.{d.full_key}" if d.type in EDITABLE_TYPES and not d.read_only else None,
            "date" if d.type == FieldType.DATE else "choice" if d.type == FieldType.ENUM
            else "text",
            tuple(d.options),
            sortable=None if d.computed else d.full_key,
            filterable=None if d.computed else d.full_key,
            custom=d,
        )
        for d in definitions
    ]
    return [*CORE, *custom]


def chosen(names: Iterable[str], columns: Sequence[Column]) -> list[Column]:
    """The columns asked for, in the order asked, unknown ones left out; the defaults when
    none is asked for."""
    by_key = {c.key: c for c in columns}
    picked = [by_key[n] for n in dict.fromkeys(names) if n in by_key]
    return picked or [by_key[n] for n in DEFAULT]


def filter_fields(columns: Sequence[Column]) -> list[tuple[str, str]]:
    return [*NAME_FILTERS[:3], *((c.filterable, c.label) for c in columns if c.filterable),
            *NAME_FILTERS[3:]]


def sort_fields(columns: Sequence[Column]) -> list[tuple[str, str]]:
    return [*SORTS[:3], *((c.sortable, c.label) for c in columns if c.sortable), SORTS[3]]


def compose(field_name: str | None, op: str | None, value: str | None) -> str | None:
    """A filter from the "add a filter" form, in the API's grammar (the service checks it)."""
    if not field_name or not op:
        return None
    value = (value or "").strip()
    if op == "is_empty":
        return f"{field_name}:is_empty:{value or 'true'}"
    return f"{field_name}:{op}:{value}"


def describe(raw: str, labels: Mapping[str, str]) -> tuple[str, str, str]:
    """(field label, operator label, value) of a filter, for its chip."""
    name, _, rest = raw.partition(":")
    op, _, value = rest.partition(":")
    return labels.get(name, name), OP_LABELS.get(op, op), value


async def owners(db: AsyncSession, principal: Principal) -> dict[uuid.UUID, str]:
    """Members by user id (a contact's owner is a user id), for the owner column and picks."""
    return {
        m.user.id: m.display_name or m.user.email
        for m in await list_members(db, principal) if not m.pending
    }


def cell_value(contact: Any, column: Column) -> Any:
    """The raw value of a cell (for its edit box)."""
    if column.custom is not None:
        return contact.fields.get(column.key)
    if column.key == "owner":
        return contact.owner_id
    if column.key == "tags":
        return ", ".join(contact.tags)
    if column.key == "phone":
        return contact.phones[0].number if contact.phones else None
    if column.key == "send_window":
        return window_text(contact.send_window)
    return getattr(contact, column.key, None)


def window_text(window: Any) -> str:
    """``09:00-18:00 mon,tue,wed`` (every day: the hours alone), as the box takes it."""
    if window is None:
        return ""
    hours = f"{window.start}-{window.end}"
    return hours if len(window.days) == 7 else f"{hours} {','.join(window.days)}"
