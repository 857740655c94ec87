"""Request and response bodies of ``/api/v1/retail`` (typed, so the OpenAPI document
describes them exactly)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from rapport.sdk import LongText, Name, Patch, ShortText

Currency = Annotated[str, msgspec.Meta(min_length=3, max_length=3, pattern="^[A-Za-z]{3}$",
                                       description="ISO 4217 code", examples=["UAH"])]
Decimal = Annotated[str, msgspec.Meta(max_length=24, pattern=r"^-?[0-9]{1,12}(\.[0-9]{1,4})?$",
                                      description="A decimal number as a string",
                                      examples=["1.5"])]
CardNumber = Annotated[str, msgspec.Meta(min_length=8, max_length=24,
                                         pattern=r"^[0-9 -]+$",
                                         description="Digits with a Luhn check digit",
                                         examples=["7000000000000017"])]
Points = Annotated[int, msgspec.Meta(ge=1, le=1_000_000_000)]
ExternalId = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[^\x00]+$")]
Sku = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[^\x00]+$")]
TimeZone = Annotated[str, msgspec.Meta(min_length=1, max_length=64,
                                       pattern=r"^[A-Za-z0-9_+\-/]+$", examples=["Europe/Kyiv"])]
Rounding = Literal["down", "nearest", "up"]
TierPeriod = Literal["calendar_year", "rolling_12_months", "anniversary"]
ReturnRule = Literal["claw_back", "negative", "refuse"]
Downgrade = Literal["supported", "one_step"]


class ProgramIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    currency: Currency
    points_per_unit: Decimal = "1"
    min_purchase: Decimal = "0"
    rounding: Rounding = "down"
    expiry_months: Annotated[int, msgspec.Meta(ge=1, le=120)] | None = 12
    tier_period: TierPeriod = "calendar_year"
    value_per_point: Decimal = "0.01"
    expected_redemption_rate: Decimal = "0.8"
    birthday_bonus: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] = 0
    time_zone: TimeZone = "UTC"
    card_prefix: Annotated[str, msgspec.Meta(pattern="^[0-9]{1,8}$")] = "7000"
    signup_bonus: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] = 0
    referral_bonus: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] = 0
    profile_bonus: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] = 0
    newsletter_bonus: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] = 0
    pending_days: Annotated[int, msgspec.Meta(ge=0, le=365)] = 0
    daily_earn_cap: Annotated[int, msgspec.Meta(ge=1, le=1_000_000_000)] | None = None
    daily_redeem_cap: Annotated[int, msgspec.Meta(ge=1, le=1_000_000_000)] | None = None
    return_rule: ReturnRule = "claw_back"
    downgrade: Downgrade = "supported"
    tier_warning_days: Annotated[int, msgspec.Meta(ge=0, le=365)] = 30


class ProgramPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | None = None
    points_per_unit: Decimal | None = None
    min_purchase: Decimal | None = None
    rounding: Rounding | None = None
    expiry_months: Annotated[int, msgspec.Meta(ge=1, le=120)] | None = None
    tier_period: TierPeriod | None = None
    value_per_point: Decimal | None = None
    expected_redemption_rate: Decimal | None = None
    birthday_bonus: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] | None = None
    time_zone: TimeZone | None = None
    signup_bonus: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] | None = None
    referral_bonus: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] | None = None
    profile_bonus: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] | None = None
    newsletter_bonus: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] | None = None
    pending_days: Annotated[int, msgspec.Meta(ge=0, le=365)] | None = None
    daily_earn_cap: Annotated[int, msgspec.Meta(ge=1, le=1_000_000_000)] | None = None
    daily_redeem_cap: Annotated[int, msgspec.Meta(ge=1, le=1_000_000_000)] | None = None
    return_rule: ReturnRule | None = None
    downgrade: Downgrade | None = None
    tier_warning_days: Annotated[int, msgspec.Meta(ge=0, le=365)] | None = None


class ProgramOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    currency: str
    points_per_unit: str
    min_purchase: str
    rounding: str
    expiry_months: int | None
    tier_period: str
    value_per_point: str
    expected_redemption_rate: str
    birthday_bonus: int
    time_zone: str
    card_prefix: str
    signup_bonus: int
    referral_bonus: int
    profile_bonus: int
    newsletter_bonus: int
    pending_days: int
    daily_earn_cap: int | None
    daily_redeem_cap: int | None
    return_rule: str
    downgrade: str
    tier_warning_days: int
    created_at: datetime


class RuleIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    multiplier: Decimal
    sku: Sku | None = None
    category: Sku | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


class RulePatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    """Fields left out stay as they are; ``null`` clears ``sku``, ``category``,
    ``starts_at`` or ``ends_at`` (a campaign's dates: without both it always runs). The rule
    as changed is checked as on creation: a SKU or a category, not both; the end after the
    start. Applies to purchases earned from then on; what was earned stays."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    multiplier: Decimal | msgspec.UnsetType = msgspec.UNSET
    sku: Sku | msgspec.UnsetType | None = msgspec.UNSET
    category: Sku | msgspec.UnsetType | None = msgspec.UNSET
    starts_at: datetime | msgspec.UnsetType | None = msgspec.UNSET
    ends_at: datetime | msgspec.UnsetType | None = msgspec.UNSET


class RuleOut(msgspec.Struct):
    id: uuid.UUID
    program_id: uuid.UUID
    name: str
    multiplier: str
    sku: str | None
    category: str | None
    starts_at: datetime | None
    ends_at: datetime | None


class ProductIn(msgspec.Struct, forbid_unknown_fields=True):
    sku: Sku
    category: Sku


class ProductOut(msgspec.Struct):
    sku: str
    category: str


TierName = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[^\x00]+$")]
Threshold = Annotated[int, msgspec.Meta(ge=0, le=1_000_000_000)]
Perks = Annotated[list[ShortText], msgspec.Meta(max_length=20)]
Stock = Annotated[int, msgspec.Meta(ge=0, le=1_000_000_000)]
ValidDays = Annotated[int, msgspec.Meta(ge=1, le=3650)]


class TierIn(msgspec.Struct, forbid_unknown_fields=True):
    name: TierName
    threshold: Threshold
    multiplier: Decimal = "1"
    perks: Perks = []


class TierPatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    """Fields left out stay as they are; ``perks``, when given, replaces the list. Members
    keep the tier they hold: a new threshold applies from their next earning or the
    period's settlement."""

    name: TierName | msgspec.UnsetType = msgspec.UNSET
    threshold: Threshold | msgspec.UnsetType = msgspec.UNSET
    multiplier: Decimal | msgspec.UnsetType = msgspec.UNSET
    perks: Perks | msgspec.UnsetType = msgspec.UNSET


class TierOut(msgspec.Struct):
    id: uuid.UUID
    program_id: uuid.UUID
    name: str
    threshold: int
    multiplier: str
    perks: list[str]


class RewardIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    points_cost: Points
    stock: Stock | None = None
    valid_days: ValidDays = 30


class RewardPatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    """Fields left out stay as they are; ``stock: null`` makes it unlimited. Vouchers
    already issued keep their cost and validity."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    points_cost: Points | msgspec.UnsetType = msgspec.UNSET
    stock: Stock | msgspec.UnsetType | None = msgspec.UNSET
    valid_days: ValidDays | msgspec.UnsetType = msgspec.UNSET


class RewardOut(msgspec.Struct):
    id: uuid.UUID
    program_id: uuid.UUID
    name: str
    points_cost: int
    stock: int | None
    valid_days: int
    active: bool


class MemberIn(msgspec.Struct, forbid_unknown_fields=True):
    contact_id: uuid.UUID
    program_id: uuid.UUID
    channel: Annotated[str, msgspec.Meta(pattern="^[a-z][a-z0-9_]{0,39}$")] = "store"
    referred_by: uuid.UUID | None = None
    staff: bool = False
    notes: LongText | None = None
    card_kind: Literal["plastic", "virtual"] = "virtual"
    card_number: CardNumber | None = None


class CardOut(msgspec.Struct):
    id: uuid.UUID
    member_id: uuid.UUID
    number: str
    kind: str
    state: str
    replaced_by: uuid.UUID | None
    created_at: datetime


class MemberOut(msgspec.Struct):
    id: uuid.UUID
    program_id: uuid.UUID
    contact_id: uuid.UUID | None
    erased_at: datetime | None
    joined_at: datetime
    channel: str
    referred_by: uuid.UUID | None
    staff: bool
    notes: str | None
    balance: int
    pending: int
    qualifying_points: int
    tier: str | None
    cards: list[CardOut]


class EntryOut(msgspec.Struct):
    id: uuid.UUID
    kind: str
    points: int
    qualifying: bool
    remaining: int
    expires_at: datetime | None
    external_id: str | None
    transaction_id: uuid.UUID | None
    amount: str | None
    reason: str | None
    created_at: datetime


class LedgerPage(msgspec.Struct):
    balance: int
    items: list[EntryOut]
    next_cursor: str | None


class AdjustmentIn(msgspec.Struct, forbid_unknown_fields=True):
    points: Annotated[int, msgspec.Meta(ge=-1_000_000_000, le=1_000_000_000)]
    reason: Annotated[str, msgspec.Meta(min_length=3, max_length=500, pattern=r"^[^\x00]+$")]
    external_id: ExternalId | None = None
    qualifying: bool = False


class RedemptionIn(msgspec.Struct, forbid_unknown_fields=True):
    reward_id: uuid.UUID
    external_id: ExternalId | None = None


class VoucherOut(msgspec.Struct):
    id: uuid.UUID
    code: str
    reward_id: uuid.UUID
    reward: str
    state: str
    expires_at: datetime
    used_at: datetime | None


class BlockIn(msgspec.Struct, forbid_unknown_fields=True):
    state: Literal["blocked", "lost"] = "blocked"


class CardIn(msgspec.Struct, forbid_unknown_fields=True):
    """Another card for a member: virtual (numbered by the program) or plastic (the printed
    number, Luhn-checked, from the program's stock once it has one)."""

    kind: Literal["plastic", "virtual"] = "virtual"
    number: CardNumber | None = None


class ReplaceIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: Literal["plastic", "virtual"] = "virtual"
    number: CardNumber | None = None


class StockIn(msgspec.Struct, forbid_unknown_fields=True):
    first: CardNumber
    count: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
    label: Name | None = None


class StockOut(msgspec.Struct):
    id: uuid.UUID
    program_id: uuid.UUID
    label: str
    first: str
    last: str
    count: int
    issued: int
    created_at: datetime


class TierChangeOut(msgspec.Struct):
    from_tier: str | None
    to_tier: str | None
    reason: str
    at: datetime


class TierProgress(msgspec.Struct):
    name: str | None
    perks: list[str]
    qualifying_points: int
    next_tier: str | None
    points_to_next: int | None
    # Qualifying points still needed this period to keep the tier at the next settlement.
    points_to_keep: int


class Visit(msgspec.Struct):
    at: datetime
    amount: str | None
    points: int


class Offer(msgspec.Struct):
    kind: str
    title: str
    reward_id: uuid.UUID | None = None
    points_cost: int | None = None


class CardView(msgspec.Struct):
    card_number: str
    card_kind: str
    member_id: uuid.UUID
    contact_id: uuid.UUID
    program: str
    currency: str
    display_name: str
    salutation: str
    language: str
    birthday_today: bool
    days_to_birthday: int | None
    staff: bool
    tier: TierProgress
    balance: int
    pending: int
    vouchers: list[VoucherOut]
    offers: list[Offer]
    notes: list[str]
    last_visits: list[Visit]


class TillLineIn(msgspec.Struct, forbid_unknown_fields=True):
    product: Name
    quantity: Decimal
    unit_price: Decimal


class PurchaseIn(msgspec.Struct, forbid_unknown_fields=True):
    card_number: CardNumber
    external_id: ExternalId
    currency: Currency
    amount: Decimal | None = None
    lines: Annotated[list[TillLineIn], msgspec.Meta(max_length=500)] = []
    voucher_code: Annotated[str, msgspec.Meta(min_length=4, max_length=32,
                                              pattern="^[A-Za-z0-9-]+$")] | None = None
    redeem_points: Annotated[int, msgspec.Meta(ge=0, le=1_000_000_000)] = 0
    occurred_at: datetime | None = None
    point_of_sale: ShortText | None = None


class PurchaseOut(msgspec.Struct):
    transaction_id: uuid.UUID
    member_id: uuid.UUID
    points_earned: int
    points_redeemed: int
    balance: int
    tier_before: str | None
    tier_after: str | None
    voucher: VoucherOut | None


class TierRecomputeOut(msgspec.Struct):
    members: int
    changed: int


class ReportOut(msgspec.Struct):
    program_id: uuid.UUID
    members: int
    active_members: int
    lapsed_members: int
    members_per_tier: dict[str, int]
    issued: int
    redeemed: int
    expired: int
    outstanding: int
    redemption_rate: str
    liability: str
    currency: str
    per_month: list[MonthOut]


class MonthOut(msgspec.Struct):
    month: str
    issued: int
    redeemed: int
    expired: int


class ReturnLineIn(msgspec.Struct, forbid_unknown_fields=True):
    product: Name  # a SKU of the purchase's lines
    quantity: Decimal


class ReturnIn(msgspec.Struct, forbid_unknown_fields=True):
    """What comes back: an ``amount`` of money, or ``lines`` (SKU and quantity; the money
    is their price in the purchase) — one of the two."""

    purchase_external_id: ExternalId
    return_id: ExternalId
    amount: Decimal | None = None
    lines: Annotated[list[ReturnLineIn], msgspec.Meta(max_length=500)] = []


class ReturnOut(msgspec.Struct):
    member_id: uuid.UUID
    points_reversed: int
    points_given_back: int
    balance: int
