"""Contact shapes at the edge."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

import msgspec

from rapport.core.fields.shapes import FieldValues, FieldValuesIn
from rapport.fieldtypes import Patch, ShortText, documented
from rapport.fieldtypes import ShortText as EmailField
from rapport.fieldtypes import ShortText as NameField

_NO_NUL = r"^[^\x00]*$"
Label = Annotated[str, msgspec.Meta(max_length=40, pattern=_NO_NUL)]
Honorific = Annotated[str, msgspec.Meta(max_length=40, pattern=_NO_NUL)]
PhoneText = Annotated[str, msgspec.Meta(max_length=40, pattern=_NO_NUL)]
TagText = Annotated[str, msgspec.Meta(max_length=60, pattern=_NO_NUL)]
LocaleText = Annotated[str, msgspec.Meta(max_length=35, pattern=r"^[A-Za-z0-9_-]*$")]
CountryCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z]{2}$")]
AddressKind = Literal["home", "work", "billing", "shipping", "other"]
TimeZone = Annotated[str, msgspec.Meta(
    max_length=64, pattern=r"^[A-Za-z0-9_+\-/]+$",
    description="an IANA time zone name, e.g. Europe/Kyiv")]
ClockTime = Annotated[str, msgspec.Meta(
    pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="a local time of day, HH:MM")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

MAX_EMAILS = 20
MAX_PHONES = 20
MAX_TAGS = 50
MAX_ADDRESSES = 10


class EmailIn(msgspec.Struct, forbid_unknown_fields=True):
    address: EmailField
    primary: bool = False
    label: Label | None = None


class PhoneIn(msgspec.Struct, forbid_unknown_fields=True):
    number: PhoneText
    primary: bool = False
    label: Label | None = None


class AddressIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: AddressKind = "home"
    line1: ShortText | None = None
    line2: ShortText | None = None
    city: ShortText | None = None
    region: ShortText | None = None
    postal_code: Annotated[str, msgspec.Meta(max_length=20, pattern=_NO_NUL)] | None = None
    country: CountryCode | None = None


class SendWindowIn(msgspec.Struct, forbid_unknown_fields=True):
    """When messages may reach the person, in their time zone: from ``start`` to ``end``
    (an ``end`` not after ``start`` runs over midnight) on ``days`` (all days when
    omitted)."""

    start: ClockTime
    end: ClockTime
    days: Annotated[list[Weekday], msgspec.Meta(min_length=1, max_length=7)] | None = None


class SendWindowOut(msgspec.Struct):
    start: str
    end: str
    days: list[str]


class ProvenanceIn(msgspec.Struct, forbid_unknown_fields=True):
    """Where a fact was learned: a source ("trade fair 2025") and/or an interaction."""

    source: ShortText | None = None
    interaction_id: uuid.UUID | None = None


Emails = Annotated[list[EmailField | EmailIn], msgspec.Meta(max_length=MAX_EMAILS)]
Phones = Annotated[list[PhoneText | PhoneIn], msgspec.Meta(max_length=MAX_PHONES)]
Tags = Annotated[list[TagText], msgspec.Meta(max_length=MAX_TAGS)]
Addresses = Annotated[list[AddressIn], msgspec.Meta(max_length=MAX_ADDRESSES)]
ExternalId = Annotated[str, msgspec.Meta(max_length=200, pattern=_NO_NUL)]


class ContactIn(msgspec.Struct, forbid_unknown_fields=True):
    openapi_example: ClassVar[dict[str, Any]] = {
        "given_name": "Iryna",
        "family_name": "Bondarenko",
        "email": "iryna@example.com",
        "phones": ["+380 44 123 4567"],
        "tags": ["vip"],
        "addresses": [{"kind": "home", "city": "Kyiv", "country": "UA"}],
        "provenance": {"source": "trade fair 2025"},
    }
    honorific: Honorific | None = None
    given_name: NameField | None = None
    patronymic: NameField | None = None
    family_name: NameField | None = None
    preferred_name: NameField | None = None
    # The primary address; ``emails`` may list more (plain strings or objects).
    email: EmailField | None = None
    emails: Emails | None = None
    phones: Phones | None = None
    birthday: date | None = None
    language: LocaleText | None = None
    time_zone: TimeZone | None = None
    send_window: SendWindowIn | None = None
    addresses: Addresses | None = None
    tags: Tags | None = None
    owner_id: uuid.UUID | None = None
    source: ShortText | None = None
    external_id: ExternalId | None = None
    # Custom field values by full key; validated against the tenant's visible definitions.
    fields: FieldValuesIn | None = None
    provenance: ProvenanceIn | None = None

    def values(self) -> dict[str, Any]:
        """The profile values sent (``provenance`` is about them, not one of them)."""
        return {
            f: getattr(self, f)
            for f in self.__struct_fields__
            if f != "provenance" and getattr(self, f) is not None
        }


class ContactPatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    openapi_example: ClassVar[dict[str, Any]] = {
        "family_name": "Shevchenko", "tags": ["vip", "newsletter"], "birthday": None,
    }
    qualifiers = frozenset({"provenance"})

    honorific: Honorific | msgspec.UnsetType | None = msgspec.UNSET
    given_name: NameField | msgspec.UnsetType | None = msgspec.UNSET
    patronymic: NameField | msgspec.UnsetType | None = msgspec.UNSET
    family_name: NameField | msgspec.UnsetType | None = msgspec.UNSET
    preferred_name: NameField | msgspec.UnsetType | None = msgspec.UNSET
    email: EmailField | msgspec.UnsetType | None = msgspec.UNSET
    emails: Emails | msgspec.UnsetType | None = msgspec.UNSET
    phones: Phones | msgspec.UnsetType | None = msgspec.UNSET
    birthday: date | msgspec.UnsetType | None = msgspec.UNSET
    language: LocaleText | msgspec.UnsetType | None = msgspec.UNSET
    time_zone: TimeZone | msgspec.UnsetType | None = msgspec.UNSET
    send_window: SendWindowIn | msgspec.UnsetType | None = msgspec.UNSET
    addresses: Addresses | msgspec.UnsetType | None = msgspec.UNSET
    tags: Tags | msgspec.UnsetType | None = msgspec.UNSET
    owner_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    source: ShortText | msgspec.UnsetType | None = msgspec.UNSET
    external_id: ExternalId | msgspec.UnsetType | None = msgspec.UNSET
    # Only the keys sent change; a key set to null clears that field.
    fields: FieldValuesIn | msgspec.UnsetType = msgspec.UNSET
    provenance: ProvenanceIn | None = None


class EmailOut(msgspec.Struct):
    address: str
    primary: bool
    label: str | None


class PhoneOut(msgspec.Struct):
    number: str
    primary: bool
    label: str | None


class AddressOut(msgspec.Struct):
    """A postal address as stored: each part trimmed, null where not given; the country an
    upper-case ISO 3166 code."""

    kind: AddressKind
    line1: str | None
    line2: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None

    @classmethod
    def of(cls, stored: dict[str, Any]) -> AddressOut:
        g = stored.get
        return cls(g("kind") or "other", g("line1"), g("line2"), g("city"), g("region"),
                   g("postal_code"), g("country"))


class ContactOut(msgspec.Struct):
    id: uuid.UUID
    display_name: str
    salutation: str
    honorific: str | None
    given_name: str | None
    patronymic: str | None
    family_name: str | None
    preferred_name: str | None
    email: str | None
    emails: list[EmailOut]
    phones: list[PhoneOut]
    birthday: date | None
    language: str | None
    time_zone: str | None
    send_window: SendWindowOut | None
    addresses: list[AddressOut]
    tags: list[str]
    owner_id: uuid.UUID | None
    source: str | None
    external_id: str | None
    fields: FieldValues
    created_at: datetime
    updated_at: datetime


class ContactList(msgspec.Struct):
    items: list[ContactOut]
    next_cursor: str | None


class OwnerOut(msgspec.Struct):
    user_id: uuid.UUID
    full_name: str
    email: str
    role: str


class OrganizationLinkOut(msgspec.Struct):
    id: uuid.UUID
    organization_id: uuid.UUID
    organization_name: str
    role: str | None
    title: str | None
    since: date | None
    until: date | None


class ContactView(ContactOut):
    """One contact as its page shows it: the profile, its owner, its organizations, and what
    colleagues already did with this person (``activity``, from every area and plugin)."""

    owner: OwnerOut | None
    organizations: list[OrganizationLinkOut]
    activity: Annotated[dict[str, Any], documented(
        "Open by design: one section per area and enabled plugin that answers the "
        "`rapport_contact_summary` hook, keyed by a name it chooses (namespaced by its "
        "owner); each section's shape is its owner's and may grow with plugins installed.",
    )]


class MergeIn(msgspec.Struct, forbid_unknown_fields=True):
    other_id: uuid.UUID
    provenance: ProvenanceIn | None = None


class Candidate(msgspec.Struct):
    id: uuid.UUID
    display_name: str
    email: str | None
    reason: str
    score: float


class CandidateList(msgspec.Struct):
    candidates: list[Candidate]


class ContactSettingsIn(msgspec.Struct, forbid_unknown_fields=True):
    phone_region: CountryCode | None = None
    default_locale: LocaleText | None = None
    # The zone of contacts without one (their sending windows).
    time_zone: TimeZone | None = None
    tracking: Annotated[bool, msgspec.Meta(
        description="track opens and clicks of campaign messages (privacy switch)")] = True


class ContactSettingsOut(msgspec.Struct):
    phone_region: str | None
    default_locale: str | None
    time_zone: str | None
    tracking: bool
