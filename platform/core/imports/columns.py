"""Which file column feeds which contact value: the known columns, custom fields named
``fields.<full key>``, and ``--map "File header=column"`` for everything else.

A file whose columns cannot be read this way is refused before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from rapport.core.fields.definitions import FieldDefinition

Key = Literal["external_id", "email"]
KEYS: tuple[Key, ...] = ("external_id", "email")
# The import's columns, in the order an export writes them.
CORE_COLUMNS = (
    "external_id",
    "honorific",
    "given_name",
    "patronymic",
    "family_name",
    "preferred_name",
    "email",
    "emails",
    "phones",
    "birthday",
    "language",
    "time_zone",
    "send_window",
    "tags",
    "addresses",
    "owner_id",
    "source",
)
# Cells of these columns hold several values separated by this character.
LIST_COLUMNS = frozenset({"emails", "phones", "tags"})
SEPARATOR = ";"
FIELD_PREFIX = "fields."
MAX_COLUMNS = 300
# ``--map "Notes="``: read the file's column but import nothing from it.
IGNORED = ""


@dataclass(frozen=True)
class Column:
    position: int
    header: str
    target: str
    definition: FieldDefinition | None = None


@dataclass(frozen=True)
class Layout:
    """How each cell of a row is read; ``width`` is the number of cells a row must have."""

    columns: tuple[Column, ...]
    width: int
    key: Key

    @property
    def mapping(self) -> dict[str, str]:
        return {c.header: c.target for c in self.columns}


class ColumnError(ValueError):
    """The file's columns cannot be imported; ``problems`` are (column, message) pairs."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{column}: {message}" for column, message in problems))
        self.problems = list(problems)


def importable_fields(definitions: Iterable[FieldDefinition]) -> dict[str, FieldDefinition]:
    """``fields.<full key>`` → definition, for every field a row may set (not computed ones)."""
    return {FIELD_PREFIX + d.full_key: d for d in definitions if d.computed is None}


def export_columns(definitions: Iterable[FieldDefinition]) -> list[str]:
    return [*CORE_COLUMNS, *sorted(importable_fields(definitions))]


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """``["E-mail=email", "Notes="]`` → ``{"E-mail": "email", "Notes": ""}``."""
    mapping: dict[str, str] = {}
    problems = []
    for pair in pairs:
        header, sep, target = pair.rpartition("=")
        if not sep or not header.strip():
            problems.append((pair, 'a mapping is "File header=column"'))
            continue
        if header.strip() in mapping:
            problems.append((header.strip(), "is mapped twice"))
        mapping[header.strip()] = target.strip()
    if problems:
        raise ColumnError(problems)
    return mapping


def _known(name: str, fields: Mapping[str, FieldDefinition]) -> str | None:
    folded = name.strip().lower()
    if folded in CORE_COLUMNS:
        return folded
    return folded if folded in fields else None


def resolve(
    headers: Sequence[str],
    mapping: Mapping[str, str],
    definitions: Iterable[FieldDefinition],
    key: Key,
) -> Layout:
    """The layout for this header row; every problem at once, as a ``ColumnError``."""
    fields = importable_fields(definitions)
    problems: list[tuple[str, str]] = []
    if len(headers) > MAX_COLUMNS:
        raise ColumnError([("header", f"at most {MAX_COLUMNS} columns")])
    if not any(h.strip() for h in headers):
        raise ColumnError([("header", "the first row must name the columns")])
    columns: list[Column] = []
    seen: dict[str, str] = {}
    for position, raw in enumerate(headers):
        header = raw.strip()
        if header in mapping:
            wanted = mapping[header]
            target = _known(wanted, fields) if wanted != IGNORED else IGNORED
            if target is None:
                problems.append((header, f"cannot map to {wanted!r}: not a column of contacts "
                                         "(see the import's columns in docs/imports.md)"))
                continue
        else:
            target = _known(header, fields)
            if target is None:
                problems.append((header or f"column {position + 1}",
                                 "unknown column (map it with --map \"Header=column\", or to "
                                 "nothing with --map \"Header=\")"))
                continue
        if target != IGNORED:
            if target in seen:
                problems.append((header, f"{target} is already read from column {seen[target]!r}"))
                continue
            seen[target] = header
        columns.append(Column(position, header, target, fields.get(target)))
    missing = sorted(set(mapping) - {h.strip() for h in headers})
    problems += [(m, "is mapped but the file has no such column") for m in missing]
    if key == "external_id" and "external_id" not in seen:
        problems.append(("external_id", "required to match contacts by external_id"))
    if key == "email" and not {"email", "emails"} & set(seen):
        problems.append(("email", "required to match contacts by email"))
    if problems:
        raise ColumnError(problems)
    kept = tuple(c for c in columns if c.target != IGNORED)
    return Layout(kept, len(headers), key)
