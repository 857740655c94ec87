"""Request and response bodies of the dealership API (msgspec: bounded, NUL-free, typed).
Money is always integer minor units (cents, kopiyky) with an ISO 4217 currency."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

import msgspec

from rapport.sdk import LongText, Name, Patch, ShortText

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9._-]+$")]
Currency = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")]
Minor = Annotated[int, msgspec.Meta(ge=0, le=10**13)]
Positive = Annotated[int, msgspec.Meta(ge=1, le=10**13)]
VinText = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[^\x00]*$")]
Branch = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[^\x00]*$")]
Receipt = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[^\x00]*$")]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=r"^[^\x00]*$")]
Evidence = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=r"^[^\x00]*$")]
Probability = Annotated[float, msgspec.Meta(ge=0, le=1)]
Week = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])$")]
ModelYear = Annotated[int, msgspec.Meta(ge=1950, le=2100)]
StockStatus = Literal["in_stock", "reserved", "in_transit", "sold"]
Stage = Literal["quote", "deposit_paid", "allocated", "ordered", "scheduled", "produced",
                "in_transit", "arrived", "delivered", "cancelled", "unwound"]
Move = Literal["deposit_paid", "allocated", "ordered", "scheduled", "produced", "in_transit",
               "arrived", "delivered", "cancel", "unwind"]
PromiseKind = Literal["delivery_date", "colour", "price", "trade_in_value", "call_back",
                      "service", "we_owe", "other"]
PromiseStatus = Literal["open", "kept", "broken", "renegotiated", "cancelled"]
Department = Literal["sales", "service", "parts", "finance", "accessories"]
CostBearer = Literal["dealer", "department", "manufacturer", "customer"]


class Colour(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    name: Name


class Option(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    name: Name
    price_minor: Minor = 0


class VehicleIn(msgspec.Struct, forbid_unknown_fields=True):
    make: ShortText
    model: ShortText
    model_year: ModelYear
    trim: ShortText
    colours: Annotated[list[Colour], msgspec.Meta(min_length=1, max_length=60)]
    base_price_minor: Minor
    currency: Currency
    body: ShortText | None = None
    engine: ShortText | None = None
    options: Annotated[list[Option], msgspec.Meta(max_length=200)] = []


class VehiclePatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    """A definition's corrections: what is left out stays, ``null`` clears body or engine.
    The currency stays (orders are priced in it); a colour or option an order or a stock
    unit uses cannot be removed (409)."""

    openapi_example: ClassVar[dict[str, Any]] = {
        "trim": "Style", "base_price_minor": 3150000,
        "colours": [{"code": "F9R", "name": "Velvet red"}, {"code": "1Z1Z", "name": "Moon white"}],
    }

    make: ShortText | msgspec.UnsetType = msgspec.UNSET
    model: ShortText | msgspec.UnsetType = msgspec.UNSET
    model_year: ModelYear | msgspec.UnsetType = msgspec.UNSET
    trim: ShortText | msgspec.UnsetType = msgspec.UNSET
    body: ShortText | msgspec.UnsetType | None = msgspec.UNSET
    engine: ShortText | msgspec.UnsetType | None = msgspec.UNSET
    colours: (Annotated[list[Colour], msgspec.Meta(min_length=1, max_length=60)]
              | msgspec.UnsetType) = msgspec.UNSET
    options: Annotated[list[Option], msgspec.Meta(max_length=200)] | msgspec.UnsetType = \
        msgspec.UNSET
    base_price_minor: Minor | msgspec.UnsetType = msgspec.UNSET


class VehicleOut(msgspec.Struct):
    id: uuid.UUID
    make: str
    model: str
    model_year: int
    trim: str
    body: str | None
    engine: str | None
    colours: list[Colour]
    options: list[Option]
    base_price_minor: int
    currency: str
    created_at: datetime


class VehicleList(msgspec.Struct):
    items: list[VehicleOut]
    next_cursor: str | None


class StockIn(msgspec.Struct, forbid_unknown_fields=True):
    vehicle_id: uuid.UUID
    vin: VinText
    colour_code: Code
    status: Literal["in_stock", "in_transit"] = "in_stock"
    branch: Branch | None = None


class StockPatch(msgspec.Struct, forbid_unknown_fields=True):
    status: Literal["in_stock", "in_transit"] | msgspec.UnsetType = msgspec.UNSET
    branch: Branch | msgspec.UnsetType | None = msgspec.UNSET


class StockOut(msgspec.Struct):
    id: uuid.UUID
    vehicle_id: uuid.UUID
    vin: str
    colour_code: str
    status: str
    order_id: uuid.UUID | None
    branch: str | None
    created_at: datetime


class StockList(msgspec.Struct):
    items: list[StockOut]
    next_cursor: str | None


class Split(msgspec.Struct, forbid_unknown_fields=True):
    member_id: uuid.UUID
    percent: Annotated[int, msgspec.Meta(ge=1, le=100)]


Splits = Annotated[list[Split], msgspec.Meta(max_length=5)]
Codes = Annotated[list[Code], msgspec.Meta(max_length=30)]


class OrderIn(msgspec.Struct, forbid_unknown_fields=True):
    contact_id: uuid.UUID
    vehicle_id: uuid.UUID
    colour_code: Code
    alternative_colours: Annotated[list[Code], msgspec.Meta(max_length=10)] = []
    options: Codes = []
    price_minor: Minor | None = None
    discount_minor: Minor = 0
    trade_in_minor: Minor = 0
    branch: Branch | None = None
    expected_delivery: date | None = None
    salesperson_id: uuid.UUID | None = None
    splits: Splits = []


class OrderPatch(msgspec.Struct, forbid_unknown_fields=True):
    colour_code: Code | msgspec.UnsetType = msgspec.UNSET
    alternative_colours: (Annotated[list[Code], msgspec.Meta(max_length=10)]
                          | msgspec.UnsetType) = msgspec.UNSET
    options: Codes | msgspec.UnsetType = msgspec.UNSET
    discount_minor: Minor | msgspec.UnsetType = msgspec.UNSET
    trade_in_minor: Minor | msgspec.UnsetType = msgspec.UNSET
    branch: Branch | msgspec.UnsetType | None = msgspec.UNSET
    salesperson_id: uuid.UUID | msgspec.UnsetType = msgspec.UNSET
    splits: Splits | msgspec.UnsetType = msgspec.UNSET


class OrderOut(msgspec.Struct):
    id: uuid.UUID
    contact_id: uuid.UUID
    salesperson_id: uuid.UUID
    branch: str | None
    vehicle_id: uuid.UUID
    options: list[str]
    colour_code: str
    alternative_colours: list[str]
    currency: str
    price_minor: int
    discount_minor: int
    trade_in_minor: int
    deposit_held_minor: int
    balance_due_minor: int
    state: str
    expected_delivery: date | None
    manufacturer_order_no: str | None
    production_week: str | None
    vin: str | None
    stock_unit_id: uuid.UUID | None
    delivered_on: date | None
    delivered_colour: str | None
    splits: list[Split]
    created_at: datetime


class OrderList(msgspec.Struct):
    items: list[OrderOut]
    next_cursor: str | None


class TransitionIn(msgspec.Struct, forbid_unknown_fields=True):
    transition: Move
    note: LongText | None = None
    manufacturer_order_no: Annotated[str, msgspec.Meta(
        min_length=1, max_length=40, pattern=r"^[A-Za-z0-9/._-]+$")] | None = None
    production_week: Week | None = None
    vin: VinText | None = None
    delivered_colour: Code | None = None
    refund_receipt: Receipt | None = None


class DepositIn(msgspec.Struct, forbid_unknown_fields=True):
    amount_minor: Positive
    currency: Currency
    receipt: Receipt
    paid_at: datetime | None = None


class RefundIn(msgspec.Struct, forbid_unknown_fields=True):
    amount_minor: Positive
    reason: Reason
    receipt: Receipt | None = None


class PaymentOut(msgspec.Struct):
    id: uuid.UUID
    order_id: uuid.UUID
    kind: str
    amount_minor: int
    currency: str
    paid_at: datetime
    receipt: str | None
    reason: str | None
    created_at: datetime


class PaymentList(msgspec.Struct):
    items: list[PaymentOut]
    held_minor: int


class DeliveryDateIn(msgspec.Struct, forbid_unknown_fields=True):
    expected_delivery: date
    reason: Reason
    # The customer agreed to the new date: open delivery promises are renegotiated to it
    # (before they passed) instead of being left to break.
    agreed_with_customer: bool = False


class ReserveIn(msgspec.Struct, forbid_unknown_fields=True):
    stock_unit_id: uuid.UUID


class LogEntryOut(msgspec.Struct):
    id: uuid.UUID
    kind: str
    summary: str
    data: dict[str, object]
    actor_id: uuid.UUID | None
    created_at: datetime


class OrderLogList(msgspec.Struct):
    items: list[LogEntryOut]


class PromiseIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: PromiseKind
    text: LongText
    contact_id: uuid.UUID
    due_at: datetime
    probability: Probability
    promised_by: uuid.UUID | None = None
    fulfilled_by: Department | None = None
    cost_minor: Minor | None = None
    cost_currency: Currency | None = None
    cost_borne_by: CostBearer | None = None
    order_id: uuid.UUID | None = None
    deal_id: uuid.UUID | None = None
    interaction_id: uuid.UUID | None = None
    alternatives: Annotated[list[ShortText], msgspec.Meta(max_length=10)] = []
    branch: Branch | None = None


class PromiseOut(msgspec.Struct):
    id: uuid.UUID
    kind: str
    text: str
    contact_id: uuid.UUID
    promised_by: uuid.UUID
    branch: str | None
    fulfilled_by: str | None
    cost_minor: int | None
    cost_currency: str | None
    cost_borne_by: str | None
    made_at: datetime
    due_at: datetime
    probability: float
    order_id: uuid.UUID | None
    deal_id: uuid.UUID | None
    interaction_id: uuid.UUID | None
    alternatives: list[str]
    status: str
    overdue: bool
    decided_at: datetime | None
    decided_by: uuid.UUID | None
    evidence: str | None
    supersedes: uuid.UUID | None
    superseded_by: uuid.UUID | None


class PromiseList(msgspec.Struct):
    items: list[PromiseOut]
    next_cursor: str | None


class ResolveIn(msgspec.Struct, forbid_unknown_fields=True):
    outcome: Literal["kept", "broken", "cancelled"]
    evidence: Evidence


class RenegotiateIn(msgspec.Struct, forbid_unknown_fields=True):
    due_at: datetime
    probability: Probability
    evidence: Evidence
    text: LongText | None = None


class ReportRow(msgspec.Struct):
    key: str | None
    made: int
    open: int
    kept: int
    broken: int
    renegotiated: int
    cancelled: int
    kept_rate: float | None
    mean_probability: float | None
    brier: float | None


class PromiseReport(msgspec.Struct):
    group_by: str
    from_: date = msgspec.field(name="from")
    to: date = msgspec.field(name="to")
    rows: list[ReportRow] = []


class CalibrationBucket(msgspec.Struct):
    low: float
    high: float
    decided: int
    kept: int
    share_kept: float | None


class MemberCalibration(msgspec.Struct):
    member_id: uuid.UUID
    decided: int
    mean_probability: float
    kept_rate: float
    brier: float


class CalibrationReport(msgspec.Struct):
    from_: date = msgspec.field(name="from")
    to: date = msgspec.field(name="to")
    buckets: list[CalibrationBucket] = []
    members: list[MemberCalibration] = []


class LateDeposit(msgspec.Struct):
    order_id: uuid.UUID
    contact_id: uuid.UUID
    salesperson_id: uuid.UUID
    expected_delivery: date
    days_late: int
    held_minor: int
    currency: str


class LateDepositReport(msgspec.Struct):
    items: list[LateDeposit]


class QuotaIn(msgspec.Struct, forbid_unknown_fields=True):
    member_id: uuid.UUID
    period_start: date
    period_end: date
    units: Annotated[int, msgspec.Meta(ge=0, le=10000)]
    currency: Currency
    bonus_per_unit_minor: Minor = 0


class QuotaOut(msgspec.Struct):
    id: uuid.UUID
    member_id: uuid.UUID
    period_start: date
    period_end: date
    units: int
    bonus_per_unit_minor: int
    currency: str
    units_sold: float
    above_quota: float
    bonus_minor: int


class QuotaList(msgspec.Struct):
    items: list[QuotaOut]


class ContestIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    starts_on: date
    ends_on: date
    measure: Literal["units", "margin"]
    prizes: Annotated[list[ShortText], msgspec.Meta(max_length=20)] = []
    branch: Branch | None = None


class ContestOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    starts_on: date
    ends_on: date
    measure: str
    prizes: list[str]
    created_at: datetime
    branch: str | None


class ContestList(msgspec.Struct):
    items: list[ContestOut]


class Standing(msgspec.Struct):
    rank: int
    member_id: uuid.UUID
    name: str
    units: float
    margin_minor: int


class CreditChange(msgspec.Struct):
    order_id: uuid.UUID
    kind: str
    summary: str
    actor_id: uuid.UUID | None
    at: datetime


class Leaderboard(msgspec.Struct):
    contest: ContestOut
    standings: list[Standing]
    # Every reassignment and split of the orders that count in the contest: gaming shows.
    changes: list[CreditChange]


class TradeInIn(msgspec.Struct, forbid_unknown_fields=True):
    vin: VinText
    mileage_km: Annotated[int, msgspec.Meta(ge=0, le=5_000_000)]
    condition: Literal["excellent", "good", "fair", "poor"]
    actual_cash_value_minor: Minor
    allowance_minor: Minor
    valid_until: date
    payoff_minor: Minor = 0
    lienholder: ShortText | None = None
    description: ShortText | None = None


class TradeInOut(msgspec.Struct):
    id: uuid.UUID
    order_id: uuid.UUID
    vin: str
    description: str | None
    mileage_km: int
    condition: str
    currency: str
    actual_cash_value_minor: int
    allowance_minor: int
    # Allowance above what the car is worth to us: a discount in disguise.
    over_allowance_minor: int
    payoff_minor: int
    lienholder: str | None
    # Allowance less what is still owed; negative: negative equity rolled into the deal.
    equity_minor: int
    valid_until: date
    created_at: datetime


class TradeInList(msgspec.Struct):
    items: list[TradeInOut]


LenderRef = Annotated[str, msgspec.Meta(min_length=1, max_length=300, pattern=r"^[^\x00]*$")]


class FinanceIn(msgspec.Struct, forbid_unknown_fields=True):
    lender: ShortText
    amount_minor: Positive
    lender_reference: LenderRef | None = None


class FinanceDecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    status: Literal["approved", "declined", "withdrawn"]
    note: LongText | None = None
    # Financing failed and the buyer walks: the deposit held is refunded in the same step.
    refund_deposit: bool = False


class FinanceOut(msgspec.Struct):
    id: uuid.UUID
    order_id: uuid.UUID
    lender: str
    lender_reference: str | None
    currency: str
    amount_minor: int
    status: str
    decided_at: datetime | None
    note: str | None
    created_at: datetime


class FinanceList(msgspec.Struct):
    items: list[FinanceOut]


class ProductIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: Literal["warranty", "gap", "paint_protection", "tyre_and_wheel", "service_plan",
                  "other"]
    provider: ShortText
    price_minor: Minor
    cost_minor: Minor = 0


class ChargebackIn(msgspec.Struct, forbid_unknown_fields=True):
    amount_minor: Positive
    reason: Reason


class ProductOut(msgspec.Struct):
    id: uuid.UUID
    order_id: uuid.UUID
    kind: str
    provider: str
    currency: str
    price_minor: int
    cost_minor: int
    chargeback_minor: int
    chargeback_reason: str | None
    # Back-end gross: price less cost less chargebacks.
    gross_minor: int
    created_at: datetime


class ProductList(msgspec.Struct):
    items: list[ProductOut]


class DailyNumbers(msgspec.Struct):
    day: date
    currency: str
    quotes: int
    deposits: int
    deposits_minor: int
    deals_closed: int
    closing_ratio: float | None
    deliveries: int
    front_gross_minor: int
    back_gross_minor: int
    open_orders_past_promised_date: int
    branch: str | None
    traffic: int
    appointments_set: int
    appointments_due: int
    appointments_shown: int
    show_ratio: float | None
    closing_ratio_traffic: float | None


class StaffIn(msgspec.Struct, forbid_unknown_fields=True):
    branch: Branch | None


class StaffOut(msgspec.Struct):
    member_id: uuid.UUID
    name: str
    role: str
    branch: str | None


class StaffList(msgspec.Struct):
    items: list[StaffOut]


AppointmentStatus = Literal["set", "shown", "no_show", "cancelled"]
Purpose = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]


class AppointmentIn(msgspec.Struct, forbid_unknown_fields=True):
    contact_id: uuid.UUID
    scheduled_at: datetime
    purpose: Purpose | None = None
    salesperson_id: uuid.UUID | None = None
    branch: Branch | None = None


class AppointmentOutcomeIn(msgspec.Struct, forbid_unknown_fields=True):
    outcome: Literal["shown", "no_show", "cancelled"]
    note: Reason | None = None


class AppointmentOut(msgspec.Struct):
    id: uuid.UUID
    contact_id: uuid.UUID
    salesperson_id: uuid.UUID
    branch: str | None
    scheduled_at: datetime
    purpose: str | None
    status: AppointmentStatus
    decided_at: datetime | None
    visit_id: uuid.UUID | None
    created_at: datetime


class AppointmentList(msgspec.Struct):
    items: list[AppointmentOut]


class VisitIn(msgspec.Struct, forbid_unknown_fields=True):
    contact_id: uuid.UUID
    source: Literal["walk_in", "be_back"] = "walk_in"
    arrived_at: datetime | None = None
    salesperson_id: uuid.UUID | None = None
    branch: Branch | None = None
    note: Reason | None = None


class VisitOut(msgspec.Struct):
    id: uuid.UUID
    contact_id: uuid.UUID
    salesperson_id: uuid.UUID
    branch: str | None
    arrived_at: datetime
    source: Literal["walk_in", "appointment", "be_back"]
    appointment_id: uuid.UUID | None
    interaction_id: uuid.UUID | None
    note: str | None


class VisitList(msgspec.Struct):
    items: list[VisitOut]


Audience = Literal["buyers", "open_orders", "customers", "contacts"]
Channel = Literal["email", "sms", "phone", "post", "messenger"]
Subject = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]
Body = Annotated[str, msgspec.Meta(min_length=1, max_length=5000, pattern=r"^[^\x00]*$")]


class CampaignIn(msgspec.Struct, forbid_unknown_fields=True):
    subject: Subject
    body: Body
    channel: Channel
    audience: Audience
    contact_ids: Annotated[list[uuid.UUID], msgspec.Meta(max_length=2000)] = []


class CampaignOut(msgspec.Struct):
    id: uuid.UUID
    subject: str
    body: str
    channel: str
    audience: str
    branch: str | None
    sent: int
    skipped: int
    sent_by: uuid.UUID | None
    created_at: datetime


class CampaignList(msgspec.Struct):
    items: list[CampaignOut]


class RecipientOut(msgspec.Struct):
    contact_id: uuid.UUID
    outcome: str
    detail: str | None
    interaction_id: uuid.UUID | None


class RecipientList(msgspec.Struct):
    items: list[RecipientOut]
