"""Segment conditions retail contributes (``rapport_segment_conditions``):
``{"retail.tier": {"tier": "Gold"}}`` — members holding a tier now (optionally of one
program), and ``{"retail.member": {}}`` — members of a loyalty program at all; and the tier
as a field of the contact list's grammar (``rapport_contact_filters``):
``filter=retail.tier:eq:Gold``."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from sqlalchemy import select

from rapport.sdk import ConditionQuery, ContactFilter, SegmentCondition
from rapport_plugins.retail.models import Member, Tier

TierName = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[^\x00]*$")]


class TierValue(msgspec.Struct, forbid_unknown_fields=True):
    """A tier by name (as the program screen shows it); ``program``: only that program's."""

    tier: TierName
    program: uuid.UUID | None = None


class MemberValue(msgspec.Struct, forbid_unknown_fields=True):
    program: uuid.UUID | None = None


def _members(query: ConditionQuery, program: uuid.UUID | None) -> Any:
    members = select(Member.contact_id).where(
        Member.tenant_id == query.tenant_id, Member.erased_at.is_(None),
        Member.contact_id.is_not(None),
    )
    return members if program is None else members.where(Member.program_id == program)


def _tier(query: ConditionQuery) -> Any:
    value: TierValue = query.value
    tiers = select(Tier.id).where(Tier.tenant_id == query.tenant_id, Tier.name == value.tier)
    return query.contact_id.in_(
        _members(query, value.program).where(Member.tier_id.in_(tiers))
    )


def _member(query: ConditionQuery) -> Any:
    return query.contact_id.in_(_members(query, query.value.program))


CONDITIONS = [
    SegmentCondition(
        name="retail.tier", title="Loyalty tier", value_type=TierValue, build=_tier,
        description="Loyalty members holding this tier now (optionally of one program).",
    ),
    SegmentCondition(
        name="retail.member", title="Loyalty member", value_type=MemberValue, build=_member,
        description="Members of a loyalty program (any, or the one named).",
    ),
]


def _tier_rows(tenant_id: uuid.UUID) -> Any:
    """``(contact_id, tier name)`` of the tenant's current loyalty members."""
    return (select(Member.contact_id, Tier.name.label("value"))
            .join(Tier, (Tier.tenant_id == Member.tenant_id) & (Tier.id == Member.tier_id))
            .where(Member.tenant_id == tenant_id, Member.erased_at.is_(None),
                   Member.contact_id.is_not(None)))


FILTERS = [
    ContactFilter(
        name="retail.tier", labels={"en": "Loyalty tier", "uk": "Рівень лояльності",
                                    "ru": "Уровень лояльности"},
        value_type="text", rows=_tier_rows,
        description="The loyalty tier a member holds now, by name (any program).",
    ),
]
