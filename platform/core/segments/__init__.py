"""Segments: saved, named definitions over contacts — the contact list's filters, purchase
and interaction behaviour, nested with and/or/not — compiled to one SQL statement and
evaluated on read (dynamic).

``SegmentController`` serves ``/api/v1/segments``; actions live in ``service``; the
definition grammar and its compilation in ``compiler`` (see docs/segments.md).
"""

from rapport.core.segments.compiler import compile_definition
from rapport.core.segments.models import Segment
from rapport.core.segments.service import (
    contacts_statement,
    count_statement,
    create_segment,
    delete_segment,
    get_segment,
    list_segments,
    update_segment,
)

__all__ = [
    "Segment",
    "compile_definition",
    "contacts_statement",
    "count_statement",
    "create_segment",
    "delete_segment",
    "get_segment",
    "list_segments",
    "update_segment",
]
