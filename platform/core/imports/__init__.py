"""Imports and exports of contacts.

``rapport import contacts FILE.csv --tenant SLUG`` and ``POST /api/v1/imports`` read a CSV,
check every row like the API would, stage the valid rows with COPY and write them in
set-based batches (``runner.run_import``); ``GET /api/v1/contacts/export`` streams the
contacts back with the same columns (``export.stream``). See docs/imports.md.
"""

from rapport.core.imports.models import ContactImport
from rapport.core.imports.runner import (
    CONTACTS_IMPORTED,
    ImportOptions,
    ImportOutcome,
    ImportRefused,
    ImportStopped,
    OneTransaction,
    TransactionPerStep,
    run_import,
)

__all__ = [
    "CONTACTS_IMPORTED",
    "ContactImport",
    "ImportOptions",
    "ImportOutcome",
    "ImportRefused",
    "ImportStopped",
    "OneTransaction",
    "TransactionPerStep",
    "run_import",
]
