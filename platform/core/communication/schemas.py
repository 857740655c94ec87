"""Communication shapes at the edge: templates, previews, campaigns, their messages and
audience counts, members' subscriptions and signatures."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from rapport.core.communication.models import (
    Campaign,
    CampaignMessage,
    MemberSubscription,
    MessageTemplate,
)
from rapport.fieldtypes import LongText, Name, Patch

Channel = Literal["email", "sms", "messenger"]
Delivery = Literal["in_app", "email_digest"]
Scope = Annotated[Literal["own", "all"], msgspec.Meta(
    description="own: only events about contacts the member owns; all: every contact's")]
Language = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$",
                                       max_length=35, description="a language tag: uk, ru, en")]
Topic = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,63}$",
                                    description="the consent topic: offers, newsletter, service")]
Subject = Annotated[str, msgspec.Meta(min_length=1, max_length=1000, pattern=r"^[^\x00]*$")]
Body = Annotated[str, msgspec.Meta(min_length=1, max_length=100_000, pattern=r"^[^\x00]*$")]
Definition = Annotated[dict[str, Any], msgspec.Meta(
    description="A segment definition (docs/segments.md) used as the audience")]
CapMax = Annotated[int, msgspec.Meta(ge=1, le=1000)]
CapDays = Annotated[int, msgspec.Meta(ge=1, le=366)]
EventType = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$",
                                        max_length=120)]


class TemplateIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    channel: Channel
    language: Language
    body: Body
    subject: Subject | None = None
    topic: Topic = "offers"


class TemplatePatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    language: Language | msgspec.UnsetType = msgspec.UNSET
    topic: Topic | msgspec.UnsetType = msgspec.UNSET
    subject: Subject | msgspec.UnsetType | None = msgspec.UNSET
    body: Body | msgspec.UnsetType = msgspec.UNSET


class TemplateOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    channel: str
    language: str
    topic: str
    subject: str | None
    body: str
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, t: MessageTemplate) -> TemplateOut:
        return cls(t.id, t.name, t.channel, t.language, t.topic, t.subject, t.body,
                   t.created_by, t.created_at, t.updated_at)


class TemplateList(msgspec.Struct):
    items: list[TemplateOut]
    next_cursor: str | None


class PreviewIn(msgspec.Struct, forbid_unknown_fields=True):
    contact_id: uuid.UUID


class PreviewOut(msgspec.Struct):
    subject: str | None
    body: str
    channel: str
    language: str


class VariablesOut(msgspec.Struct):
    """The variables a template may name, with example values (plugins' under their name)."""

    names: list[str]
    examples: dict[str, Any]


class CapIn(msgspec.Struct, forbid_unknown_fields=True):
    max: CapMax
    per_days: CapDays


class CampaignIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    template_id: uuid.UUID
    segment_id: uuid.UUID | None = None
    definition: Definition | None = None
    send_at: datetime | None = None
    frequency_cap: CapIn | None = None
    tracking: Annotated[bool, msgspec.Meta(
        description="track opens and clicks (when the organisation's switch allows)")] = True
    in_contact_window: Annotated[bool, msgspec.Meta(
        description="send each contact's message at the first moment of their preferred "
                    "window at/after send_at")] = False


class CampaignPatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    template_id: uuid.UUID | msgspec.UnsetType = msgspec.UNSET
    segment_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    definition: Definition | msgspec.UnsetType | None = msgspec.UNSET
    send_at: datetime | msgspec.UnsetType | None = msgspec.UNSET
    frequency_cap: CapIn | msgspec.UnsetType | None = msgspec.UNSET
    tracking: bool | msgspec.UnsetType = msgspec.UNSET
    in_contact_window: bool | msgspec.UnsetType = msgspec.UNSET


class ScheduleIn(msgspec.Struct, forbid_unknown_fields=True):
    send_at: datetime | None = None


class Progress(msgspec.Struct):
    total: int
    pending: int
    sent: int
    skipped: int
    failed: int
    bounced: int


class Stats(msgspec.Struct):
    """``sent``: accepted by the provider (bounced ones included); ``delivered``: sent and
    not bounced; ``opened``/``clicked``: messages opened or clicked at least once (a click
    counts as an open); ``clicks``: every click; ``unsubscribed``: by the message's link."""

    sent: int
    delivered: int
    opened: int
    clicked: int
    clicks: int
    bounced: int
    unsubscribed: int


class CampaignOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    template_id: uuid.UUID
    channel: str
    topic: str
    segment_id: uuid.UUID | None
    definition: dict[str, Any] | None
    send_at: datetime | None
    frequency_cap: dict[str, int] | None
    tracking: bool
    in_contact_window: bool
    status: str
    sender_id: uuid.UUID | None
    error: str | None
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime
    updated_at: datetime
    progress: Progress
    stats: Stats

    @classmethod
    def of(cls, c: Campaign, template: MessageTemplate, progress: Progress,
           stats: Stats) -> CampaignOut:
        cap = ({"max": c.cap_max, "per_days": c.cap_days}
               if c.cap_max is not None and c.cap_days is not None else None)
        return cls(c.id, c.name, c.template_id, template.channel, template.topic, c.segment_id,
                   c.definition, c.send_at, cap, c.tracking, c.in_contact_window, c.status,
                   c.sender_id, c.error, c.started_at, c.finished_at, c.created_at,
                   c.updated_at, progress, stats)


class CampaignList(msgspec.Struct):
    items: list[CampaignOut]
    next_cursor: str | None


class Exclusion(msgspec.Struct):
    reason: str
    count: int
    detail: str


class AudienceOut(msgspec.Struct):
    """Who would receive it now: ``matching`` the audience, ``reachable`` after consent,
    do-not-contact, missing addresses and the cap; ``excluded`` says why per reason."""

    matching: int
    reachable: int
    excluded: list[Exclusion]
    summary: str


class AttemptOut(msgspec.Struct):
    """One try to hand the message over: ``result`` sent, retry (refused for now: tried
    again later) or failed; the provider's answer in ``error``."""

    attempt: int
    at: datetime
    result: str
    error: str | None = None
    temporary: bool | None = None


class MessageOut(msgspec.Struct):
    id: uuid.UUID
    contact_id: uuid.UUID
    status: str
    reason: str | None
    detail: str | None
    address: str | None
    subject: str | None
    interaction_id: uuid.UUID | None
    sent_at: datetime | None
    due_at: datetime | None
    attempts: int
    attempt_log: list[AttemptOut]
    opened_at: datetime | None
    clicked_at: datetime | None
    clicks: int
    unsubscribed_at: datetime | None

    @classmethod
    def of(cls, m: CampaignMessage) -> MessageOut:
        log = msgspec.convert(m.attempt_log or [], list[AttemptOut])
        return cls(m.id, m.contact_id, m.status, m.reason, m.detail, m.address, m.subject,
                   m.interaction_id, m.sent_at, m.due_at, m.attempts, log, m.opened_at,
                   m.clicked_at, m.clicks, m.unsubscribed_at)


class MessageList(msgspec.Struct):
    items: list[MessageOut]
    next_cursor: str | None


class BounceIn(msgspec.Struct, forbid_unknown_fields=True):
    message_id: uuid.UUID
    kind: Literal["hard", "soft", "complaint"] = "hard"
    diagnostic: Annotated[str, msgspec.Meta(max_length=2000, pattern=r"^[^\x00]*$")] = ""


class BounceOut(msgspec.Struct):
    message_id: uuid.UUID
    status: str
    consent_recorded: bool


class DsnIn(msgspec.Struct, forbid_unknown_fields=True):
    dsn: Annotated[str, msgspec.Meta(
        min_length=1, max_length=2_000_000,
        description="the whole delivery status notification (RFC 3464) as received, "
                    "headers and body")]


class DsnOut(msgspec.Struct):
    """What the report said and what it did: ``kind`` hard (5.x.x) or soft (4.x.x), the
    message's ``status`` now, and whether an opt-out was recorded."""

    message_id: uuid.UUID
    kind: str
    dsn_status: str | None
    action: str
    diagnostic: str
    recipient: str | None
    status: str
    consent_recorded: bool


class SubscriptionIn(msgspec.Struct, forbid_unknown_fields=True):
    event_type: EventType
    delivery: Delivery = "in_app"
    scope: Scope = "own"


class SubscriptionOut(msgspec.Struct):
    id: uuid.UUID
    event_type: str
    delivery: str
    scope: str
    created_at: datetime

    @classmethod
    def of(cls, s: MemberSubscription) -> SubscriptionOut:
        return cls(s.id, s.event_type, s.delivery, s.scope, s.created_at)


class SubscriptionList(msgspec.Struct):
    items: list[SubscriptionOut]


class EventTypeOut(msgspec.Struct):
    name: str
    title: str
    source: str


class EventTypeList(msgspec.Struct):
    items: list[EventTypeOut]


class SignatureIn(msgspec.Struct, forbid_unknown_fields=True):
    signature: LongText


class SignatureOut(msgspec.Struct):
    signature: str


class UnsubscribeOut(msgspec.Struct):
    channel: str
    topic: str
    unsubscribed: bool
    already: bool
