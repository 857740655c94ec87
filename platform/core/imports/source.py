"""The CSV file being imported: its fingerprint, its encoding, its header and its rows.

The whole file is checked to be UTF-8 (a byte-order mark is fine) and hashed before a row
is read, so a wrong encoding is refused with the line it was found on, before anything is
written, and the SHA-256 names the file when an unfinished import is resumed.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

READ_SIZE = 1 << 20
# Cells may be long (an address list, a long text field); far longer is not a contact.
MAX_CELL = 1 << 20
Rows = list[tuple[int, list[str]]]


class FileError(ValueError):
    """The file as a whole cannot be imported (encoding, no header)."""


@dataclass(frozen=True)
class Fingerprint:
    sha256: str
    size: int
    lines: int


@dataclass(frozen=True)
class CsvSource:
    """A name and a way to open the bytes again (the file is read more than once)."""

    name: str
    open: Callable[[], BinaryIO]

    @classmethod
    def from_path(cls, path: Path) -> CsvSource:
        return cls(path.name, lambda: path.open("rb"))

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> CsvSource:
        return cls(name, lambda: io.BytesIO(data))


def _utf16(head: bytes) -> bool:
    return head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def fingerprint(source: CsvSource) -> Fingerprint:
    """SHA-256 and size of the file; ``FileError`` naming the line if it is not UTF-8."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    size = 0
    lines = 1
    with source.open() as stream:
        while chunk := stream.read(READ_SIZE):
            if size == 0 and _utf16(chunk):
                raise FileError("the file is UTF-16 text; save it as UTF-8 (\"CSV UTF-8\")")
            pending = decoder.getstate()[0]
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                where = max(0, exc.start - len(pending))
                line = lines + chunk.count(b"\n", 0, where)
                raise FileError(
                    f"the file is not UTF-8 text: line {line} (byte {size + where + 1}) holds "
                    "bytes UTF-8 does not allow; save it as UTF-8 (\"CSV UTF-8\")"
                ) from None
            digest.update(chunk)
            lines += chunk.count(b"\n")
            size += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise FileError("the file is not UTF-8 text: it ends inside a character") from None
    return Fingerprint(digest.hexdigest(), size, lines)


class CsvRows:
    """The header, then the data rows in chunks; a row's number counts data rows from 1
    (blank rows keep their number and are skipped)."""

    def __init__(self, source: CsvSource) -> None:
        self._binary = source.open()
        self._text = io.TextIOWrapper(self._binary, encoding="utf-8-sig", newline="")
        # Process-wide, and only ever raised: a long cell is a row error, not a crash.
        csv.field_size_limit(max(MAX_CELL, csv.field_size_limit()))
        self._reader = csv.reader(self._text, strict=False)
        self.bad: list[tuple[int, str]] = []
        try:
            self.header = next(self._reader)
        except StopIteration:
            raise FileError("the file is empty: the first row must name the columns") from None
        except csv.Error as exc:
            raise FileError(f"the header row cannot be read: {exc}") from None

    def close(self) -> None:
        self._text.close()

    def chunks(self, size: int, start_after: int = 0) -> Iterator[Rows]:
        """Rows numbered above ``start_after``, ``size`` at a time. Rows the CSV reader
        cannot split (a cell past ``MAX_CELL``) are collected in ``bad``."""
        chunk: Rows = []
        number = 0
        while True:
            number += 1
            try:
                cells = next(self._reader)
            except StopIteration:
                break
            except csv.Error as exc:
                self.bad.append((number, str(exc)))
                continue
            if number <= start_after or not any(cells):
                continue
            chunk.append((number, cells))
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def data_rows(source: CsvSource) -> int:
    """How many non-blank data rows the file holds (the plan's contacts limit counts them)."""
    rows = CsvRows(source)
    try:
        return sum(len(chunk) for chunk in rows.chunks(1000))
    finally:
        rows.close()
