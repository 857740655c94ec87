"""Rows to response bodies (one place, so the API and the console show the same thing)."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from rapport_plugins.dealership.models import OrderLog, Payment, Promise, StockUnit, Vehicle
from rapport_plugins.dealership.schemas import (
    Colour,
    LogEntryOut,
    Option,
    PaymentOut,
    PromiseOut,
    StockOut,
    VehicleOut,
)


def vehicle_out(v: Vehicle) -> VehicleOut:
    return VehicleOut(v.id, v.make, v.model, v.model_year, v.trim, v.body, v.engine,
                      msgspec.convert(v.colours, list[Colour]),
                      msgspec.convert(v.options, list[Option]), v.base_price_minor, v.currency,
                      v.created_at)


def stock_out(u: StockUnit) -> StockOut:
    return StockOut(u.id, u.vehicle_id, u.vin, u.colour_code, u.status, u.order_id, u.branch,
                    u.created_at)


def payment_out(p: Payment) -> PaymentOut:
    return PaymentOut(p.id, p.order_id, p.kind, p.amount_minor, p.currency, p.paid_at,
                      p.receipt, p.reason, p.created_at)


def log_out(e: OrderLog) -> LogEntryOut:
    return LogEntryOut(e.id, e.kind, e.summary, e.data, e.actor_id, e.created_at)


def is_overdue(p: Promise, now: datetime | None = None) -> bool:
    return p.status == "open" and p.due_at < (now or datetime.now(UTC))


def promise_out(p: Promise) -> PromiseOut:
    return PromiseOut(
        p.id, p.kind, p.text, p.contact_id, p.promised_by, p.branch, p.fulfilled_by,
        p.cost_minor, p.cost_currency, p.cost_borne_by, p.made_at, p.due_at, p.probability,
        p.order_id, p.deal_id, p.interaction_id, list(p.alternatives), p.status,
        is_overdue(p), p.decided_at, p.decided_by, p.evidence, p.supersedes, p.superseded_by,
    )
