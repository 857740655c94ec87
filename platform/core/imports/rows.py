"""One CSV row → the contact values in the API's normal forms, or every error in the row.

Each value goes through the function the API uses (``contacts.values``: emails, E.164
phones with the tenant's region, tags, names, dates, languages; the fields area for custom
fields), so an imported contact equals one created over the API. A valid row becomes one
staging line (``number <tab> key <tab> document``) for PostgreSQL's COPY; pure Python, so
it can run in worker processes.

Two ways through a row, with one result. ``RowReader._fast`` takes the rows files are made
of — plain cells, every value valid — with the per-row work cut to what such a row needs
and the answers for repeated values (names' search words, tags cells, languages, custom
field cells, phone numbers) kept per reader. At the first thing it does not expect (a cell
too long, an error, an addresses cell, a formula quote) it gives up and the row goes the
checked way (``_read_checked``), which finds every error with the API's messages. Both
build the staging line with ``_line``; tests compare the two on many rows.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
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
    "time_zone": 64,
    "send_window": 100,
}
ITEM_LIMITS = {"email": 200, "emails": 200, "phones": 40, "tags": 60}
LIST_LIMITS = {"emails": MAX_EMAILS, "phones": MAX_PHONES, "tags": MAX_TAGS}
MAX_ADDRESSES_CELL = 20_000
NAME_KEYS = ("given_name", "patronymic", "family_name", "preferred_name")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LANGUAGE = re.compile(r"^[A-Za-z0-9_-]*$")
_INDEX = re.compile(r"^[a-z_]+\[(\d+)\](.*)$")
# Distinct values a reader remembers per kind before it starts afresh (memory bound).
MEMO_SIZE = 50_000
_TEXT_SCALARS = frozenset(v.SCALARS) - {"birthday", "language", "time_zone", "owner_id"}


class _GiveUp(Exception):
    """The fast way met something it does not handle: read the row the checked way."""


class _Memo(dict[Any, Any]):
    """A dict that forgets everything once it holds ``MEMO_SIZE`` entries."""

    def put(self, key: Any, value: Any) -> Any:
        if len(self) >= MEMO_SIZE:
            self.clear()
        self[key] = value
        return value


# The current reader's answers in this process (see ``RowReader._memo``).
_MEMOS: dict[str, dict[str, _Memo]] = {}


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
        # The fast way's plan: cells by position, scalars in the order the API cleans them.
        self._cells = tuple((c.position, c.target) for c in layout.columns)
        self._scalar_targets = tuple(k for k in v.SCALARS if k in self.by_target)
        self._custom = tuple((c.target, c.definition) for c in layout.columns
                             if c.definition is not None)
        self._token = uuid.uuid4().hex
        self._today = date.min

    def _memo(self, kind: str) -> _Memo:
        """Answers for repeated values of one kind. A worker process receives a copy of
        the reader with every chunk; the answers stay in the process, under this reader's
        token, so they outlive the chunk (one reader's at a time)."""
        memos = _MEMOS.get(self._token)
        if memos is None:
            _MEMOS.clear()
            memos = _MEMOS[self._token] = {}
        memo = memos.get(kind)
        if memo is None:
            memo = memos[kind] = _Memo()
        return memo

    def read(self, rows: Sequence[tuple[int, Sequence[str]]]) -> ChunkResult:
        """``rows`` are (data row number from 1, cells)."""
        out = ChunkResult()
        lines: list[str] = []
        # Birthdays up to today are accepted; a row the fast way cannot place reads the
        # clock itself (the checked way), so a chunk read across midnight loses nothing.
        self._today = datetime.now(UTC).date()
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
        try:
            return self._fast(number, row_cells)
        except _GiveUp:
            return self._read_checked(number, row_cells)

    def _read_checked(self, number: int, row_cells: Sequence[str]) -> str | list[RowError]:
        """The row's COPY line, or its errors, every value through the API's functions."""
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
        if "send_window" in raw:
            out.update(self._window(row, raw["send_window"]))
        return {k: value for k, value in out.items() if value is not None}

    @staticmethod
    def _window(row: _Row, cell: str) -> dict[str, Any]:
        """``09:00-18:00`` or ``09:00-18:00 mon-fri`` / ``… mon,wed,sat``: the window's
        columns as the batch document carries them (times as text, days as numbers)."""
        header = row.given["send_window"].header
        try:
            clean = v.clean_window(cell)
        except RapportError as exc:
            row.fail(header, exc.errors[0].message if exc.errors else exc.detail)
            return {}
        return {"window_start": clean["window_start"].strftime("%H:%M"),
                "window_end": clean["window_end"].strftime("%H:%M"),
                "window_days": clean["window_days"]}

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
        # contact_terms' terms: names' words remembered per name, numbers parsed once.
        # The vocabulary words among them: a phone's terms are digits (or "~" and digits),
        # never one; a name's are known per name.
        found: set[str] = set()
        vocabulary: set[str] = set()
        for k in NAME_KEYS:
            name = values.get(k)
            if name:
                all_words, known = self._words(name)
                found.update(all_words)
                vocabulary.update(known)
        for address in doc.get("k", ()):
            terms = t.email_terms(address)
            found.update(terms)
            vocabulary.update(w for w in terms if t.is_vocabulary_word(w))
        for phone in doc.get("p", ()):
            found.update(t.phone_terms(phone, nationals[phone]))
        found.discard("")
        doc["st"] = sorted(found)
        doc["w"] = sorted(vocabulary)
        problem = self._create_problem(scalars, emails, phones, custom)
        if problem:
            doc["cp"] = problem
        document = msgspec.json.encode(doc).decode()
        return f"{number}\t{copy_text(key or '')}\t{copy_text(document)}\n"

    def _words(self, name: str) -> tuple[list[str], list[str]]:
        """``terms.words`` of a name, and those of them that are vocabulary words."""
        memo = self._memo("words")
        found = memo.get(name)
        if found is None:
            words = t.words(name)
            found = memo.put(name, (words, [w for w in words if t.is_vocabulary_word(w)]))
        return found

    # ---------------------------------------------------------------- fast way

    def _fast(self, number: int, row_cells: Sequence[str]) -> str:
        """The line ``_read_checked`` gives for a row whose every value is valid; raises
        ``_GiveUp`` at the first cell it does not handle (the row is then read the checked
        way, which also finds its errors)."""
        if len(row_cells) != self.layout.width:
            raise _GiveUp
        raw: dict[str, str] = {}
        for position, target in self._cells:
            cell = row_cells[position]
            if not cell or cell[0] == "'" or "\x00" in cell:
                if not cell:
                    continue
                raise _GiveUp  # a formula quote or a NUL: the checked way says what to do
            if cell.isspace():
                continue
            raw[target] = cell
        if "addresses" in raw or "send_window" in raw:
            raise _GiveUp
        scalars = self._fast_scalars(raw)
        emails = self._fast_emails(raw)
        nationals: dict[str, str] = {}
        phones = self._fast_phones(raw, nationals)
        tags = self._fast_tags(raw)
        custom = self._fast_fields(raw)
        if self.layout.key == "external_id":
            key = scalars.get("external_id")
        else:
            key = emails[0].key if emails else None
        if key is None:
            raise _GiveUp
        return self._line(number, key, scalars, emails, phones, nationals, tags, None, custom,
                          raw)

    def _fast_scalars(self, raw: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for target in self._scalar_targets:
            cell = raw.get(target)
            if cell is None:
                continue
            if target in _TEXT_SCALARS:
                if len(cell) > LIMITS[target]:
                    raise _GiveUp
                value = " ".join(cell.split())
                if value:
                    out[target] = value
            elif target == "birthday":
                out[target] = self._fast_birthday(cell)
            elif target == "language":
                out[target] = self._fast_language(cell)
            elif target == "time_zone":
                out[target] = self._fast_zone(cell)
            else:
                try:
                    out[target] = uuid.UUID(cell.strip())
                except ValueError:
                    raise _GiveUp from None
        return out

    def _fast_birthday(self, cell: str) -> date:
        cell = cell.strip()
        if not _DATE.match(cell):
            raise _GiveUp
        try:
            found = date.fromisoformat(cell)
        except ValueError:
            raise _GiveUp from None
        if not v.EARLIEST_BIRTHDAY <= found <= self._today:
            raise _GiveUp
        return found

    def _fast_zone(self, cell: str) -> str:
        memo = self._memo("time_zone")
        found = memo.get(cell)
        if found is None:
            try:
                found = v.clean_scalars({"time_zone": cell})["time_zone"]
            except RapportError:
                raise _GiveUp from None
            if found is None:
                raise _GiveUp
            memo.put(cell, found)
        return str(found)

    def _fast_language(self, cell: str) -> str:
        memo = self._memo("language")
        found = memo.get(cell)
        if found is None:
            if len(cell) > LIMITS["language"] or not _LANGUAGE.match(cell.strip()):
                raise _GiveUp
            try:
                found = v.clean_scalars({"language": cell})["language"]
            except RapportError:
                raise _GiveUp from None
            if found is None:
                raise _GiveUp
            memo.put(cell, found)
        return str(found)

    @staticmethod
    def _fast_items(cell: str | None, target: str) -> list[str] | None:
        if cell is None:
            return None
        items = [part.strip() for part in cell.split(SEPARATOR) if part.strip()]
        limit = ITEM_LIMITS[target]
        if (target in LIST_LIMITS and len(items) > LIST_LIMITS[target]) or any(
                len(item) > limit for item in items):
            raise _GiveUp
        return items

    def _fast_emails(self, raw: dict[str, str]) -> list[v.EmailValue] | None:
        changes: dict[str, Any] = {}
        primary = self._fast_items(raw.get("email"), "email")
        if primary:
            if len(primary) > 1:
                raise _GiveUp
            changes["email"] = primary[0]
        others = self._fast_items(raw.get("emails"), "emails")
        if others:
            changes["emails"] = others
        if not changes:
            return None
        try:
            listed = canonical.compose_emails(changes)
        except RapportError:
            raise _GiveUp from None
        if listed is not None and len(listed) > MAX_EMAILS:
            raise _GiveUp
        return listed

    def _fast_phones(
        self, raw: dict[str, str], nationals: dict[str, str]
    ) -> list[v.PhoneValue] | None:
        items = self._fast_items(raw.get("phones"), "phones")
        if not items:
            return None
        memo = self._memo("phones")
        numbers: list[str] = []
        for item in items:
            found = memo.get(item)
            if found is None:
                try:
                    found = memo.put(item, canonical.parse_phone(item, self.region, "phones"))
                except RapportError:
                    raise _GiveUp from None
            e164, national = found
            if e164 not in nationals:
                nationals[e164] = national
                numbers.append(e164)
        # ``one_primary`` of numbers none of which is marked: the first is the primary.
        return [v.PhoneValue(e164, i == 0) for i, e164 in enumerate(numbers)]

    def _fast_tags(self, raw: dict[str, str]) -> list[str] | None:
        cell = raw.get("tags")
        if cell is None:
            return None
        memo = self._memo("tags")
        found = memo.get(cell)
        if found is None:
            items = self._fast_items(cell, "tags")
            try:
                found = memo.put(cell, v.clean_tags(items) if items else [])
            except RapportError:
                raise _GiveUp from None
        return list(found) or None

    def _fast_fields(self, raw: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if not self._custom:
            return out
        memo = self._memo("fields")
        for target, definition in self._custom:
            cell = raw.get(target)
            if cell is None:
                continue
            assert definition is not None
            found = memo.get((target, cell), memo)
            if found is memo:
                try:
                    value = cells.read_cell(definition, cell)
                    clean = validate_values(self.definitions, {definition.full_key: value},
                                            partial=True)
                except (ValueRuleError, RapportError):
                    raise _GiveUp from None
                found = memo.put((target, cell), clean[definition.full_key])
            if found is not None:
                out[definition.full_key] = found
        return out

