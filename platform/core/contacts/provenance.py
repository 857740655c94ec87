"""A request's ``provenance`` object → the facts' ``Provenance`` (channel ``api``)."""

from __future__ import annotations

from rapport.core import facts
from rapport.core.contacts.schemas import ProvenanceIn


def provenance_of(given: ProvenanceIn | None, channel: str = "api") -> facts.Provenance:
    if given is None:
        return facts.Provenance(channel=channel)
    source = " ".join(given.source.split()) or None if given.source else None
    return facts.Provenance(channel=channel, source=source,
                            interaction_id=given.interaction_id)
