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


class Revenue(msgspec.Struct):
    currency: str
    amount: str  # decimal as text: money is never a float


class Conversion(msgspec.Struct):
    # Each step as a share (0..1), null when the step before it is 0.
    interactions_to_deals: float | None
    deals_to_won: float | None
    # Won of closed (won + lost) in the period.
    win_rate: float | None


class MemberResults(msgspec.Struct):
    member_id: uuid.UUID  # the membership's id, as deals' owner_id and tasks' assignee_id
    user_id: uuid.UUID
    member_name: str | None
    role: str
    interactions: int
    by_kind: dict[str, int]
    by_channel: dict[str, int]  # "" for interactions logged without a channel
    contacts_touched: int
    deals_opened: int
    deals_won: int
    deals_lost: int
    revenue_won: list[Revenue]
    tasks_done: int
    tasks_overdue: int
    conversion: Conversion
    # Plugins' measures by name (rapport_member_measures); absent rows count as 0.
    measures: dict[str, float]
    # The rule in docs/analytics.md, "Members' report": busy, yet results lag.
    activity_without_results: bool


class MeasureInfo(msgspec.Struct):
    name: str
    labels: dict[str, str]  # by language; "en" always present
    higher_is_better: bool


class TeamResults(msgspec.Struct):
    """A team's row (``group=team``): its members' figures summed; a member in several
    teams counts in each. ``team_id`` null: the members in no team."""

    team_id: uuid.UUID | None
    team_name: str | None
    lead_id: uuid.UUID | None
    member_ids: list[uuid.UUID]
    interactions: int
    by_kind: dict[str, int]
    by_channel: dict[str, int]
    deals_opened: int
    deals_won: int
    deals_lost: int
    revenue_won: list[Revenue]
    tasks_done: int
    tasks_overdue: int
    conversion: Conversion
    measures: dict[str, float]
    # How many of its members are marked activity_without_results.
    members_without_results: int


class MembersReport(msgspec.Struct, rename={"since": "from", "until": "to"}):
    since: str
    until: str
    # Everyone's (the manager's view) or only the caller's own row (a member's view).
    scope: str
    # The interactions-per-member median among active members and the tenant's overall
    # interactions→won ratio: the two thresholds of activity_without_results.
    median_interactions: float
    tenant_won_per_interaction: float | None
    measures: list[MeasureInfo]
    members: list[MemberResults]
    # "member" (the default) or "team"; with "team", ``teams`` sums the members per team.
    group: str = "member"
    teams: list[TeamResults] | None = None
