"""Survey shapes at the edge: the survey with its items, invitations, the public
questionnaire and answers, and the report."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from rapport.core.surveys.models import Survey, SurveyInvitation
from rapport.fieldtypes import Patch

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
Key = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$",
                                  description="lower-case letters, digits, _")]
Language = Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2}$", description="ISO 639-1 code")]
Statement = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=r"\S")]
Texts = Annotated[dict[Language, Statement], msgspec.Meta(
    min_length=1, max_length=10,
    description="the statement in each of the survey's languages")]
Points = Annotated[int, msgspec.Meta(ge=0, le=100)]
Weights = Annotated[dict[Key, Points], msgspec.Meta(
    min_length=1, max_length=20,
    description="points per dimension, 100 in all (SERVQUAL's allocation)")]
Threshold = Annotated[float, msgspec.Meta(ge=-6, le=7, description=(
    "a response whose mean gap (threshold_on gap, -6..6) or mean perception "
    "(threshold_on perception, 1..7) falls below this is low"))]
Topic = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Channel = Literal["email", "sms", "messenger"]
AutoKind = Literal["call", "email", "meeting", "visit", "message", "purchase"]
AutoKinds = Annotated[list[AutoKind], msgspec.Meta(max_length=6, description=(
    "interaction kinds after which the worker invites the contact automatically on "
    "auto_channel (docs/surveys.md, Automatic invitations)"))]
DelayMinutes = Annotated[int, msgspec.Meta(ge=0, le=43200, description=(
    "minutes to wait after the touchpoint before the automatic invitation (up to 30 days)"))]
CapDays = Annotated[int, msgspec.Meta(ge=0, le=365, description=(
    "a contact is invited automatically at most once in this many days, whichever survey "
    "(0: no cap)"))]
RemindDays = Annotated[int, msgspec.Meta(ge=1, le=60, description=(
    "one reminder this many days after the invitation to whoever has not answered while "
    "the link works; null: no reminder"))]
Days = Annotated[int, msgspec.Meta(ge=1, le=365, description="how long a link stays valid")]
Place = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
Score = Annotated[int, msgspec.Meta(ge=1, le=7)]
Comment = Annotated[str, msgspec.Meta(max_length=4000)]
Group = Literal["dimension", "item", "service_point", "employee", "month"]


class ItemIn(msgspec.Struct, forbid_unknown_fields=True):
    key: Key
    dimension: Key
    text: Texts


Items = Annotated[list[ItemIn], msgspec.Meta(min_length=1, max_length=100)]
Languages = Annotated[list[Language], msgspec.Meta(min_length=1, max_length=10)]


class SurveyIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    languages: Languages = msgspec.field(default_factory=lambda: ["en", "uk", "ru"])
    items: Items | None = None
    weights: Weights | None = None
    threshold: Threshold = -1.0
    threshold_on: Literal["gap", "perception"] = "gap"
    manager_id: uuid.UUID | None = None
    topic: Topic = "service"
    template_id: uuid.UUID | None = None
    auto_kinds: AutoKinds = msgspec.field(default_factory=list)
    auto_channel: Channel | None = None
    auto_delay_minutes: DelayMinutes = 0
    auto_cap_days: CapDays = 30
    remind_after_days: RemindDays | None = None
    link_days: Days = 30
    active: bool = True


class SurveyPatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    languages: Languages | msgspec.UnsetType = msgspec.UNSET
    items: Items | msgspec.UnsetType = msgspec.UNSET
    weights: Weights | msgspec.UnsetType | None = msgspec.UNSET
    threshold: Threshold | msgspec.UnsetType = msgspec.UNSET
    threshold_on: Literal["gap", "perception"] | msgspec.UnsetType = msgspec.UNSET
    manager_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    topic: Topic | msgspec.UnsetType = msgspec.UNSET
    template_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    auto_kinds: AutoKinds | msgspec.UnsetType = msgspec.UNSET
    auto_channel: Channel | msgspec.UnsetType | None = msgspec.UNSET
    auto_delay_minutes: DelayMinutes | msgspec.UnsetType = msgspec.UNSET
    auto_cap_days: CapDays | msgspec.UnsetType = msgspec.UNSET
    remind_after_days: RemindDays | msgspec.UnsetType | None = msgspec.UNSET
    link_days: Days | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class ItemOut(msgspec.Struct):
    key: str
    dimension: str
    text: dict[str, str]


class SurveyOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    languages: list[str]
    items: list[ItemOut]
    weights: dict[str, int] | None
    threshold: float
    threshold_on: str
    manager_id: uuid.UUID | None
    topic: str
    template_id: uuid.UUID | None
    auto_kinds: list[str]
    auto_channel: str | None
    auto_delay_minutes: int
    auto_cap_days: int
    auto_since: datetime
    remind_after_days: int | None
    link_days: int
    active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, s: Survey) -> SurveyOut:
        return cls(s.id, s.name, list(s.languages),
                   [ItemOut(i["key"], i["dimension"], dict(i["text"])) for i in s.items],
                   dict(s.weights) if s.weights else None, float(s.threshold), s.threshold_on,
                   s.manager_id, s.topic, s.template_id, list(s.auto_kinds), s.auto_channel,
                   s.auto_delay_minutes, s.auto_cap_days, s.auto_since, s.remind_after_days,
                   s.link_days, s.active, s.created_at, s.updated_at)


class SurveyList(msgspec.Struct):
    items: list[SurveyOut]
    next_cursor: str | None


class InvitationIn(msgspec.Struct, forbid_unknown_fields=True):
    contact_id: uuid.UUID
    channel: Channel = "email"
    service_point: Place | None = None
    interaction_id: uuid.UUID | None = None
    employee_id: uuid.UUID | None = None
    language: Language | None = None


class InvitationOut(msgspec.Struct):
    id: uuid.UUID
    survey_id: uuid.UUID
    contact_id: uuid.UUID
    service_point: str | None
    interaction_id: uuid.UUID | None
    employee_id: uuid.UUID | None
    channel: str
    language: str
    status: str
    reason: str | None
    detail: str | None
    address: str | None
    expires_at: datetime
    answered_at: datetime | None
    created_at: datetime
    automatic: bool = False
    reminder_status: str | None = None
    reminded_at: datetime | None = None
    reminder_detail: str | None = None

    @classmethod
    def of(cls, i: SurveyInvitation) -> InvitationOut:
        return cls(i.id, i.survey_id, i.contact_id, i.service_point, i.interaction_id,
                   i.employee_id, i.channel, i.language, i.status, i.reason, i.detail,
                   i.address, i.expires_at, i.answered_at, i.created_at, i.automatic,
                   i.reminder_status, i.reminded_at, i.reminder_detail)


class InvitationSent(InvitationOut):
    """As an invitation, with its link (the answer to the one request that made it)."""

    url: str = ""


class InvitationList(msgspec.Struct):
    items: list[InvitationOut]
    next_cursor: str | None


class QuestionOut(msgspec.Struct):
    key: str
    dimension: str
    dimension_name: str
    text: str


class QuestionnaireOut(msgspec.Struct):
    organization: str
    survey: str
    language: str
    scale_min: int
    scale_max: int
    service_point: str | None
    employee: str | None
    expires_at: datetime
    items: list[QuestionOut]


class AnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    item: Key
    expectation: Score
    perception: Score


class AnswersIn(msgspec.Struct, forbid_unknown_fields=True):
    answers: Annotated[list[AnswerIn], msgspec.Meta(min_length=1, max_length=100)]
    comment: Comment | None = None


class SubmittedOut(msgspec.Struct):
    received: bool
    submitted_at: datetime


class ReportRow(msgspec.Struct):
    key: str
    label: str
    responses: int
    answers: int
    expectation: float | None
    perception: float | None
    gap: float | None
    # The response rate of the invitations sent in the period (per service point, employee
    # or month; null when grouped by dimension or item).
    invited: int | None = None
    answered: int | None = None
    response_rate: float | None = None


class ReportOut(msgspec.Struct):
    survey_id: uuid.UUID
    group: str
    from_: str = msgspec.field(name="from")
    to: str = ""
    responses: int = 0
    expectation: float | None = None
    perception: float | None = None
    gap: float | None = None
    weighted_gap: float | None = None
    weights: dict[str, int] = msgspec.field(default_factory=dict)
    rows: list[ReportRow] = msgspec.field(default_factory=list)
    invited: int = 0
    answered: int = 0
    response_rate: float | None = None
