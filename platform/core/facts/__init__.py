"""Provenance of facts: every change to a contact's profile value records where it was
learned — which interaction or source, when, who recorded it, through which channel.

``record`` writes facts for the changed values (callers pass the audit diff), one per
value; a bulk writer (the CSV import) may record all the values it brought a contact as one
``VALUE_SET`` fact. ``history`` reads both back per field for
``GET /api/v1/contacts/{id}/facts``.
"""

from rapport.core.facts.service import (
    VALUE_SET,
    Provenance,
    check_provenance,
    history,
    record,
    statement,
)

__all__ = ["VALUE_SET", "Provenance", "check_provenance", "history", "record", "statement"]
