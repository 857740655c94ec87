"""Consent shapes at the edge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from rapport.core.consent.models import ConsentEvent
from rapport.fieldtypes import Name

Channel = Literal["email", "sms", "phone", "post", "messenger"]
Topic = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Status = Literal["opt_in", "opt_out"]
Note = Annotated[str, msgspec.Meta(max_length=2000, pattern=r"^[^\x00]*$")]
Moment = Annotated[datetime, msgspec.Meta(tz=True)]


class ConsentIn(msgspec.Struct, forbid_unknown_fields=True):
    channel: Channel
    # "newsletter", "offers", … or "service" (messages the customer needs, not marketing).
    topic: Topic
    status: Status
    # Where the customer said it: "web form /signup", "call with Olena", "paper form 1142".
    source: Name
    note: Note | None = None
    # When the customer said it (default: now); never in the future.
    occurred_at: Moment | None = None


class ConsentOut(msgspec.Struct):
    id: uuid.UUID
    contact_id: uuid.UUID
    channel: str
    topic: str
    status: str
    source: str
    note: str | None
    occurred_at: datetime
    recorded_by: uuid.UUID | None
    created_at: datetime

    @classmethod
    def of(cls, e: ConsentEvent) -> ConsentOut:
        return cls(e.id, e.contact_id, e.channel, e.topic, e.status, e.source, e.note,
                   e.occurred_at, e.recorded_by, e.created_at)


class FrequencyCap(msgspec.Struct, forbid_unknown_fields=True):
    max: Annotated[int, msgspec.Meta(ge=1, le=1000)]
    per_days: Annotated[int, msgspec.Meta(ge=1, le=366)]


class ContactPolicyIn(msgspec.Struct, forbid_unknown_fields=True):
    do_not_contact: bool
    # null: no cap.
    frequency_cap: FrequencyCap | None = None


class ContactPolicyOut(msgspec.Struct):
    contact_id: uuid.UUID
    do_not_contact: bool
    frequency_cap: FrequencyCap | None


class ConsentState(msgspec.Struct):
    """The latest word per (channel, topic), and the contact's policy."""

    contact_id: uuid.UUID
    do_not_contact: bool
    frequency_cap: FrequencyCap | None
    consents: list[ConsentOut]


class ConsentHistory(msgspec.Struct):
    items: list[ConsentOut]
    next_cursor: str | None


class DecisionOut(msgspec.Struct):
    allowed: bool
    # do_not_contact, opted_out, no_consent, frequency_cap, opted_in, service or reachable.
    reason: str
    detail: str
