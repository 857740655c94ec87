"""One CSV row → the contact values in the API's normal forms, or every error in the row.

Each value goes through the function the API uses (``contacts.values``: emails, E.164
phones with the tenant's region, tags, names, dates, languages; the fields area for custom
fields), so an imported contact equals one created over the API. A valid row becomes one
staging line (``number <tab> key <tab> document``) for PostgreSQL's COPY; pure Python, so
it can run in worker processes.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import msgspec

from rapport.core.contacts import names
from rapport.core.contacts import values as v
from rapport.core.contacts.schemas import MAX_EMAILS, MAX_PHONES, MAX_TAGS, Addresses
from rapport.core.contacts.search import terms as t
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.types import ValueRuleError
from rapport.core.fields.values import validate_values
from rapport.core.imports import canonical, cells, formulas
from rapport.core.imports.columns import FIELD_PREFIX, SEPARATOR, Column, Layout
from rapport.errors import RapportError

# Longest cell per column, as the API's request schema bounds the same values.
LIMITS = {
    "external_id": 200,
    "honorific": 40,
    "given_name": 200,
    "patronymic": 200,
    "family_name": 200,
    "preferred_name": 200,
    "source": 200,
    "language": 35,
}
ITEM_LIMITS = {"email": 200, "emails": 200, "phones": 40, "tags": 60}
LIST_LIMITS = {"emails": MAX_EMAILS, "phones": MAX_PHONES, "tags": MAX_TAGS}
MAX_ADDRESSES_CELL = 20_000
NAME_KEYS = ("given_name", "patronymic", "family_name", "preferred_name")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LANGUAGE = re.compile(r"^[A-Za-z0-9_-]*$")
_INDEX = re.compile(r"^[a-z_]+\[(\d+)\](.*)$")


@dataclass(frozen=True)
class RowError:
    """``row`` counts like a spreadsheet: the header is row 1, the first data row is 2."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ChunkResult:
    """What a chunk of rows became: COPY lines for the valid ones, errors for the rest."""

    lines: bytes = b""
    staged: int = 0
    invalid_rows: int = 0
    errors: list[RowError] = field(default_factory=list)


def copy_text(value: str) -> str:
    """``value`` as a field of PostgreSQL's COPY text format."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


class _Row:
    """Collects one row's values and its errors, column by column."""

    def __init__(self, reader: RowReader, number: int, cells_: Sequence[str]) -> None:
        self.reader = reader
        self.number = number
        self.cells = cells_
        self.errors: list[RowError] = []
        self.given: dict[str, Column] = {}

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number + 1, column, message))

    def cell(self, column: Column) -> str | None:
        # An exported file's cells may carry the quote that stops spreadsheet formulas.
        raw = formulas.restore(self.cells[column.position])
        if not raw or raw.isspace():
            return None
        if "\x00" in raw:
            self.fail(column.header, "must not contain NUL characters")
            return None
        self.given[column.target] = column
        return raw

    def api_error(self, exc: RapportError, fallback: Column) -> None:
        """A ``contacts.values`` error names the API field (``phones[1]``); name the cell."""
        for item in exc.errors or []:
            match = _INDEX.match(item.field)
            message = item.message
            if match:
                message = f"value {int(match.group(1)) + 1}: {message}"
            target = item.field.split("[")[0]
            column = self.given.get(target, fallback)
            self.fail(column.header, message)
        if not exc.errors:
            self.fail(fallback.header, exc.detail)


class RowReader:
    """Reads rows laid out as ``layout``; national phone numbers are read in ``region``."""

    def __init__(
        self,
        layout: Layout,
        definitions: Sequence[FieldDefinition],
        region: str | None,
    ) -> None:
        self.layout = layout
        # Computed fields are never imported; keep what pickles (worker processes).
        self.definitions = tuple(d for d in definitions if d.computed is None)
        self.region = region
        self.required = tuple(d.full_key for d in self.definitions if d.required)
        self.by_target = {c.target: c for c in layout.columns}

    def read(self, rows: Sequence[tuple[int, Sequence[str]]]) -> ChunkResult:
        """``rows`` are (data row number from 1, cells)."""
        out = ChunkResult()
        lines: list[str] = []
        for number, row_cells in rows:
            staged = self.read_row(number, row_cells)
            if isinstance(staged, list):
                out.errors.extend(staged)
                out.invalid_rows += 1
            else:
                lines.append(staged)
        out.lines = "".join(lines).encode()
        out.staged = len(lines)
        return out

    def read_row(self, number: int, row_cells: Sequence[str]) -> str | list[RowError]:
        """The row's COPY line, or its errors."""
        if len(row_cells) != self.layout.width:
            if not any(c.strip() for c in row_cells):
                return [RowError(number + 1, "row", "is empty")]
            return [RowError(number + 1, "row", f"has {len(row_cells)} cells; the header "
                                                 f"has {self.layout.width}")]
        row = _Row(self, number, row_cells)
        raw = {c.target: value for c in self.layout.columns
               if (value := row.cell(c)) is not None}
        scalars = self._scalars(row, raw)
        emails = self._emails(row, raw)
        nationals: dict[str, str] = {}
        phones = self._list(row, raw, "phones", lambda items: self._phones(items, nationals))
        tags = self._list(row, raw, "tags", v.clean_tags)
        addresses = self._addresses(row, raw)
        custom = self._fields(row, raw)
        key = self._key(row, scalars, emails)
        if row.errors:
            return row.errors
        return self._line(number, key, scalars, emails, phones, nationals, tags, addresses,
                          custom, raw)

    # ------------------------------------------------------------------ values

    def _scalars(self, row: _Row, raw: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for target, limit in LIMITS.items():
            if target in raw and len(raw[target]) > limit:
                row.fail(row.given[target].header, f"must be at most {limit} characters")
                raw.pop(target)
        if "language" in raw and not _LANGUAGE.match(raw["language"].strip()):
            row.fail(row.given["language"].header, "must be a language tag such as uk or en-GB")
            raw.pop("language")
        changes: dict[str, Any] = {k: raw[k] for k in v.SCALARS if k in raw}
        if "birthday" in changes:
            cell = changes["birthday"].strip()
            if not _DATE.match(cell):
                row.fail(row.given["birthday"].header, "must be a date as YYYY-MM-DD")
                changes.pop("birthday")
            else:
                try:
                    changes["birthday"] = date.fromisoformat(cell)
                except ValueError:
                    row.fail(row.given["birthday"].header, "must be a real calendar date")
                    changes.pop("birthday")
        if "owner_id" in changes:
            try:
                changes["owner_id"] = uuid.UUID(changes["owner_id"].strip())
            except ValueError:
                row.fail(row.given["owner_id"].header, "must be the user id of a member")
                changes.pop("owner_id")
        for key, value in changes.items():
            try:
                out.update(v.clean_scalars({key: value}))
            except RapportError as exc:
                row.api_error(exc, row.given[key])
        return {k: value for k, value in out.items() if value is not None}

    def _split(self, row: _Row, raw: dict[str, str], target: str) -> list[str] | None:
        if target not in raw:
            return None
        items = [part.strip() for part in raw[target].split(SEPARATOR) if part.strip()]
        header = row.given[target].header
        if target in LIST_LIMITS and len(items) > LIST_LIMITS[target]:
            row.fail(header, f"at most {LIST_LIMITS[target]} values")
            return None
        limit = ITEM_LIMITS[target]
        if any(len(item) > limit for item in items):
            row.fail(header, f"each value must be at most {limit} characters")
            return None
        return items

    def _emails(self, row: _Row, raw: dict[str, str]) -> list[v.EmailValue] | None:
        changes: dict[str, Any] = {}
        primary = self._split(row, raw, "email")
        if primary:
            if len(primary) > 1:
                row.fail(row.given["email"].header, "one address (list more in emails)")
                return None
            changes["email"] = primary[0]
        others = self._split(row, raw, "emails")
        if others:
            changes["emails"] = others
        if not changes:
            return None
        try:
            listed = canonical.compose_emails(changes)
        except RapportError as exc:
            row.api_error(exc, row.given.get("emails") or row.given["email"])
            return None
        if listed is not None and len(listed) > MAX_EMAILS:
            row.fail((row.given.get("emails") or row.given["email"]).header,
                     f"at most {MAX_EMAILS} addresses")
            return None
        return listed

    def _list(
        self,
        row: _Row,
        raw: dict[str, str],
        target: str,
        clean: Callable[[list[str]], list[Any]],
    ) -> list[Any] | None:
        items = self._split(row, raw, target)
        if not items:
            return None
        try:
            return clean(items)
        except RapportError as exc:
            row.api_error(exc, row.given[target])
            return None

    def _phones(self, items: list[str], nationals: dict[str, str]) -> list[v.PhoneValue]:
        phones, found = canonical.clean_phones(items, self.region)
        nationals.update(found)
        return phones

    def _addresses(self, row: _Row, raw: dict[str, str]) -> list[dict[str, Any]] | None:
        if "addresses" not in raw:
            return None
        header = row.given["addresses"].header
        if len(raw["addresses"]) > MAX_ADDRESSES_CELL:
            row.fail(header, f"must be at most {MAX_ADDRESSES_CELL} characters")
            return None
        try:
            parsed = msgspec.json.decode(raw["addresses"], type=Addresses)
            return v.clean_addresses(parsed) or None
        except msgspec.DecodeError as exc:
            row.fail(header, f"must be a JSON list of addresses ({exc})")
        except RapportError as exc:
            row.api_error(exc, row.given["addresses"])
        return None

    def _fields(self, row: _Row, raw: dict[str, str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for target, cell in raw.items():
            column = row.given[target]
            if column.definition is None:
                continue
            try:
                values[column.definition.full_key] = cells.read_cell(column.definition, cell)
            except ValueRuleError as exc:
                row.fail(column.header, str(exc))
        try:
            clean = validate_values(self.definitions, values, partial=True)
        except RapportError as exc:
            for item in exc.errors:
                failed = self.by_target.get(item.field)
                row.fail(failed.header if failed else item.field, item.message)
            return {}
        return {k: value for k, value in clean.items() if value is not None}

    def _key(
        self, row: _Row, scalars: dict[str, Any], emails: list[v.EmailValue] | None
    ) -> str | None:
        """The value the row is matched by: its external_id, or its (first) address."""
        if self.layout.key == "external_id":
            found = scalars.get("external_id")
            columns = [self.by_target["external_id"]]
        else:
            found = emails[0].key if emails else None
            columns = [c for t_, c in self.by_target.items() if t_ in ("email", "emails")]
        already = {e.column for e in row.errors}
        if found is None and not already & {c.header for c in columns}:
            row.fail(columns[0].header, f"required to match contacts by {self.layout.key}")
        return found

    # -------------------------------------------------------------- the line

    def _create_problem(
        self,
        scalars: dict[str, Any],
        emails: list[v.EmailValue] | None,
        phones: list[v.PhoneValue] | None,
        custom: dict[str, Any],
    ) -> list[str] | None:
        """Why this row cannot *create* a contact (it may still update one)."""
        missing = [k for k in self.required if k not in custom]
        if missing:
            return [FIELD_PREFIX + missing[0], "is required"]
        if not (any(k in scalars for k in NAME_KEYS) or emails or phones):
            return ["given_name", "a contact needs a name, an email or a phone number"]
        return None

    def _line(
        self,
        number: int,
        key: str | None,
        scalars: dict[str, Any],
        emails: list[v.EmailValue] | None,
        phones: list[v.PhoneValue] | None,
        nationals: dict[str, str],
        tags: list[str] | None,
        addresses: list[dict[str, Any]] | None,
        custom: dict[str, Any],
        raw: dict[str, str],
    ) -> str:
        values = dict(scalars)
        doc: dict[str, Any] = {}
        if emails:
            values["email"] = emails[0].address
            others = [e.address for e in emails[1:]]
            if others:
                values["other_emails"] = others
            doc["e"] = [e.address for e in emails]
            doc["k"] = [e.key for e in emails]
            doc["re"] = "emails" in raw
            if "email" in raw:
                doc["pe"] = True
        if phones:
            values["phones"] = doc["p"] = [p.number for p in phones]
        if tags:
            doc["t"] = tags
            values["tags"] = sorted(tags)
        if addresses:
            values["addresses"] = addresses
        doc["v"] = values
        if custom:
            doc["f"] = custom
        doc["dn"] = names.display_name(
            values, values.get("email"), phones[0].number if phones else None
        )[:500]
        found = t.contact_terms([values.get(k) for k in NAME_KEYS], doc.get("k", ()), (), ())
        for phone in doc.get("p", ()):  # contact_terms' phone terms, numbers parsed once
            found.update(t.phone_terms(phone, nationals[phone]))
        found.discard("")
        doc["st"] = sorted(found)
        doc["w"] = [w for w in doc["st"] if t.is_vocabulary_word(w)]
        problem = self._create_problem(scalars, emails, phones, custom)
        if problem:
            doc["cp"] = problem
        document = msgspec.json.encode(doc).decode()
        return f"{number}\t{copy_text(key or '')}\t{copy_text(document)}\n"

