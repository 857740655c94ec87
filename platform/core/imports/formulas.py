"""CSV cells a spreadsheet would run as formulas, neutralised on export and restored on
import (OWASP "CSV injection").

A cell starting with ``=``, ``+``, ``-``, ``@``, TAB or CR is written with a ``'`` in front,
so Excel, LibreOffice and Google Sheets show it as text instead of evaluating it (``=HYPERLINK``
leaking a row, ``=cmd|…`` on old Excel). An import removes exactly one such ``'``, so an
export imports back to the same values. To keep that a one-to-one mapping, a value that
already starts with quotes followed by one of those characters (``'=x``) gains one more
quote too; any other value is written and read as it is.

Exception: in a numeric column (integer and decimal custom fields) a plain number such as
``-5`` or ``-12.50`` stays as it is — a spreadsheet reads it as the number it is and it can
run nothing. Everywhere else OWASP's rule holds: ``-5`` in a text column (an external id, a
name) is text and is quoted, and a phone's leading ``+`` is too (which also stops a
spreadsheet from turning ``+380671234567`` into 3.8E+11).
"""

from __future__ import annotations

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALISED = re.compile(r"^'*[=+\-@\t\r]")
_QUOTED = re.compile(r"^'+[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def neutralise(cell: str, *, numeric: bool = False) -> str:
    """``cell`` as it is written to a CSV file."""
    if numeric and _PLAIN_NUMBER.match(cell):
        return cell
    return "'" + cell if _NEUTRALISED.match(cell) else cell


def restore(cell: str) -> str:
    """A cell of a file as it was before ``neutralise`` (one leading ``'`` removed)."""
    return cell[1:] if _QUOTED.match(cell) else cell
