"""Interaction shapes at the edge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from rapport.core.interactions.models import Direction, Interaction, Kind
from rapport.fieldtypes import LongText, Patch, ShortText

# An offset is required: "when" must not depend on the server's time zone.
Timestamp = Annotated[datetime, msgspec.Meta(tz=True)]
# A short token, not a closed list: tenants name their own channels ("instagram", "store").
CHANNEL_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
Channel = Annotated[str, msgspec.Meta(pattern=CHANNEL_PATTERN, max_length=40)]


class InteractionIn(msgspec.Struct, forbid_unknown_fields=True):
    contact_id: uuid.UUID
    kind: Kind
    occurred_at: Timestamp | None = None
    channel: Channel | None = None
    direction: Direction | None = None
    member_id: uuid.UUID | None = None
    subject: ShortText | None = None
    notes: LongText | None = None
    outcome: ShortText | None = None
    deal_id: uuid.UUID | None = None
    transaction_id: uuid.UUID | None = None
    campaign: ShortText | None = None
    touchpoint: ShortText | None = None

    def values(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__struct_fields__}


class InteractionPatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    contact_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    kind: Kind | msgspec.UnsetType | None = msgspec.UNSET
    occurred_at: Timestamp | msgspec.UnsetType | None = msgspec.UNSET
    channel: Channel | msgspec.UnsetType | None = msgspec.UNSET
    direction: Direction | msgspec.UnsetType | None = msgspec.UNSET
    member_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    subject: ShortText | msgspec.UnsetType | None = msgspec.UNSET
    notes: LongText | msgspec.UnsetType | None = msgspec.UNSET
    outcome: ShortText | msgspec.UnsetType | None = msgspec.UNSET
    deal_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    transaction_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    campaign: ShortText | msgspec.UnsetType | None = msgspec.UNSET
    touchpoint: ShortText | msgspec.UnsetType | None = msgspec.UNSET


class InteractionOut(msgspec.Struct):
    id: uuid.UUID
    contact_id: uuid.UUID
    kind: str
    occurred_at: datetime
    member_id: uuid.UUID
    channel: str | None
    direction: str | None
    subject: str | None
    notes: str | None
    outcome: str | None
    deal_id: uuid.UUID | None
    transaction_id: uuid.UUID | None
    campaign: str | None
    touchpoint: str | None
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, i: Interaction) -> InteractionOut:
        return cls(
            i.id,
            i.contact_id,
            i.kind,
            i.occurred_at,
            i.member_id,
            i.channel,
            i.direction,
            i.subject,
            i.notes,
            i.outcome,
            i.deal_id,
            i.transaction_id,
            i.campaign,
            i.touchpoint,
            i.created_by,
            i.created_at,
            i.updated_at,
        )


class InteractionList(msgspec.Struct):
    items: list[InteractionOut]
    next_cursor: str | None


class ColleagueInteraction(msgspec.Struct):
    """A colleague's latest interaction with the contact."""

    member_id: uuid.UUID
    member_name: str | None
    kind: str
    subject: str | None
    occurred_at: datetime


class Colleagues(msgspec.Struct):
    last_interactions: list[ColleagueInteraction]
    interaction_count: int
