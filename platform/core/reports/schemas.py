"""Report shapes at the edge."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec


class MemberActivity(msgspec.Struct):
    member_id: uuid.UUID
    member_name: str | None
    # False for someone who has left: their work in the period still counts.
    current_member: bool
    interactions: int
    by_kind: dict[str, int]
    contacts_touched: int
    # Purchases by the touched contacts within 30 days after one of this member's
    # interactions; null while the tenant's deployment has no transactions table.
    purchases_followed: int | None
    contacts_converted: int | None


class ActivityReport(msgspec.Struct):
    since: datetime
    until: datetime
    purchases_tracked: bool
    members: list[MemberActivity]
