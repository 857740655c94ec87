"""Segments: saved, named definitions over contacts — the contact list's filters, purchase
and interaction behaviour, consent, relationships and conditions plugins contribute, nested
with and/or/not — compiled to one SQL statement; dynamic (evaluated on read) or static (a
snapshot of the members and its date).

``SegmentController`` serves ``/api/v1/segments``; actions live in ``service``; the
definition grammar and its compilation in ``compiler`` (see docs/segments.md).
"""

from rapport.core.segments.compiler import compile_definition
from rapport.core.segments.models import Segment, SegmentMember
from rapport.core.segments.service import (
    Vocabulary,
    contacts_statement,
    count_statement,
    create_segment,
    delete_segment,
    get_segment,
    list_segments,
    members_condition,
    update_segment,
)

__all__ = [
    "Segment",
    "SegmentMember",
    "Vocabulary",
    "compile_definition",
    "contacts_statement",
    "count_statement",
    "create_segment",
    "delete_segment",
    "get_segment",
    "list_segments",
    "members_condition",
    "update_segment",
]
