"""Provenance of facts: every change to a contact's profile value records where it was
learned — which interaction or source, when, who recorded it, through which channel.

``record`` writes facts for the changed values (callers pass the audit diff); ``history``
reads them back per field for ``GET /api/v1/contacts/{id}/facts``.
"""

from rapport.core.facts.service import Provenance, check_provenance, history, record

__all__ = ["Provenance", "check_provenance", "history", "record"]
