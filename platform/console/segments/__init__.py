"""Segment screens: the list, the builder with a live count, and a segment's page with its
members, the export and (static segments) a new snapshot."""

from rapport.console.segments.pages import (
    add_condition,
    create_segment,
    live_count,
    new_segment,
    segment_list,
    segment_page,
    snapshot_segment,
)

PAGES = [segment_list, new_segment, live_count, add_condition, create_segment,
         segment_page, snapshot_segment]
