"""The showroom floor: appointments set with customers (shown, no-show, cancelled) and the
traffic itself — every customer on the floor, walked in, shown for an appointment or come
back ("be-back"). Each visit lands on the customer's timeline as a kernel interaction; both
feed the sales manager's daily numbers (``daily``)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import (
    Principal,
    RapportError,
    TenantHooks,
    audit,
    conflict,
    get_contact,
    invalid,
    log_interaction,
    not_found,
)
from rapport_plugins.dealership.events import announce
from rapport_plugins.dealership.members import require_members
from rapport_plugins.dealership.models import Appointment, Visit
from rapport_plugins.dealership.roles import require_owner_or_manager
from rapport_plugins.dealership.schemas import AppointmentIn, AppointmentOutcomeIn, VisitIn
from rapport_plugins.dealership.scope import branch_of, scope_of

APPOINTMENT = "dealership.appointment"
VISIT = "dealership.visit"
SOURCE_WORDS = {"walk_in": "walked in", "appointment": "came for an appointment",
                "be_back": "came back"}


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise invalid(field, "must carry a time zone")
    return value


async def _who(db: AsyncSession, principal: Principal, contact_id: uuid.UUID,
               salesperson_id: uuid.UUID | None, branch: str | None,
               what: str) -> tuple[uuid.UUID, str | None]:
    """The salesperson (default the caller) and branch (default theirs) of a new record;
    the contact must be the tenant's."""
    salesperson = salesperson_id or principal.membership_id
    require_owner_or_manager(principal, salesperson, what)
    await require_members(db, principal.tenant_id, [salesperson], "salesperson_id")
    scope = await scope_of(db, principal)
    await scope.check_seller(db, principal.tenant_id, salesperson)
    try:
        await get_contact(db, principal, contact_id)
    except RapportError as exc:
        raise invalid("contact_id", "no such contact in this tenant") from exc
    chosen = scope.check_branch(branch) or await branch_of(
        db, principal.tenant_id, salesperson)
    return salesperson, chosen


async def set_appointment(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                          data: AppointmentIn) -> Appointment:
    scheduled = _aware(data.scheduled_at, "scheduled_at")
    if scheduled <= datetime.now(UTC):
        raise invalid("scheduled_at", "must be in the future")
    salesperson, branch = await _who(db, principal, data.contact_id, data.salesperson_id,
                                     data.branch, "appointment")
    row = Appointment(tenant_id=principal.tenant_id, contact_id=data.contact_id,
                      salesperson_id=salesperson, branch=branch, scheduled_at=scheduled,
                      purpose=data.purpose, status="set", created_by=principal.membership_id)
    db.add(row)
    await db.flush()
    await audit.record(db, principal, audit.CREATE, APPOINTMENT, row.id,
                       changes={"scheduled_at": [None, scheduled], "status": [None, "set"]})
    await announce(db, principal, hooks, "dealership.appointment_set", APPOINTMENT, row.id,
                   {"contact_id": row.contact_id, "salesperson_id": salesperson,
                    "scheduled_at": scheduled, "branch": branch})
    return row


async def appointment_of(db: AsyncSession, principal: Principal, appointment_id: uuid.UUID,
                         *, lock: bool = False) -> Appointment:
    """The tenant's appointment within the principal's scope (others' answer 404)."""
    scope = await scope_of(db, principal)
    query = select(Appointment).where(
        Appointment.tenant_id == principal.tenant_id, Appointment.id == appointment_id,
        scope.where(Appointment.salesperson_id, Appointment.branch))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    found = (await db.execute(query)).scalar_one_or_none()
    if found is None:
        raise not_found("Appointment")
    return found


async def decide_appointment(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                             appointment_id: uuid.UUID,
                             data: AppointmentOutcomeIn) -> tuple[Appointment, Visit | None]:
    """Shown (a visit is recorded), no-show (only once its time has come) or cancelled;
    each once (409 after)."""
    row = await appointment_of(db, principal, appointment_id, lock=True)
    require_owner_or_manager(principal, row.salesperson_id, "appointment")
    if row.status != "set":
        raise conflict(f"The appointment is already {row.status}", current_status=row.status)
    now = datetime.now(UTC)
    if data.outcome == "no_show" and now < row.scheduled_at:
        raise conflict("outcome: a no-show can be recorded only once the appointment's time "
                       "has come")
    row.status, row.decided_at, row.decided_by = data.outcome, now, principal.membership_id
    await db.flush()
    visit = None
    if data.outcome == "shown":
        visit = await _visit(db, principal, hooks, row.contact_id, row.salesperson_id,
                             row.branch, now, "appointment", data.note, row.id)
    await audit.record(db, principal, audit.UPDATE, APPOINTMENT, row.id,
                       changes={"status": ["set", data.outcome]})
    await announce(db, principal, hooks, f"dealership.appointment_{data.outcome}", APPOINTMENT,
                   row.id, {"contact_id": row.contact_id, "salesperson_id": row.salesperson_id,
                            "scheduled_at": row.scheduled_at, "note": data.note})
    return row, visit


async def record_visit(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                       data: VisitIn) -> Visit:
    arrived = _aware(data.arrived_at, "arrived_at") if data.arrived_at else datetime.now(UTC)
    if arrived > datetime.now(UTC) + timedelta(minutes=5):
        raise invalid("arrived_at", "must not be in the future")
    salesperson, branch = await _who(db, principal, data.contact_id, data.salesperson_id,
                                     data.branch, "visit")
    return await _visit(db, principal, hooks, data.contact_id, salesperson, branch, arrived,
                        data.source, data.note, None)


async def _visit(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                 contact_id: uuid.UUID, salesperson: uuid.UUID, branch: str | None,
                 arrived: datetime, source: str, note: str | None,
                 appointment_id: uuid.UUID | None) -> Visit:
    interaction = await log_interaction(db, principal, {
        "contact_id": contact_id, "kind": "visit", "direction": "inbound",
        "occurred_at": arrived, "subject": f"Showroom visit: {SOURCE_WORDS[source]}",
        "notes": note, "touchpoint": "dealership.showroom"}, hooks)
    visit = Visit(tenant_id=principal.tenant_id, contact_id=contact_id,
                  salesperson_id=salesperson, branch=branch, arrived_at=arrived, source=source,
                  appointment_id=appointment_id, interaction_id=interaction.id, note=note)
    db.add(visit)
    await db.flush()
    await announce(db, principal, hooks, "dealership.visit_recorded", VISIT, visit.id,
                   {"contact_id": contact_id, "salesperson_id": salesperson, "source": source,
                    "arrived_at": arrived, "branch": branch})
    return visit


def _day(on: date) -> tuple[datetime, datetime]:
    since = datetime.combine(on, time.min, UTC)
    return since, since + timedelta(days=1)


async def appointments(db: AsyncSession, principal: Principal, on: date,
                       status: str | None = None) -> list[tuple[Appointment, uuid.UUID | None]]:
    """The day's appointments (UTC), earliest first, each with the visit it turned into."""
    since, until = _day(on)
    scope = await scope_of(db, principal)
    query = (select(Appointment, Visit.id)
             .outerjoin(Visit, (Visit.tenant_id == Appointment.tenant_id)
                        & (Visit.appointment_id == Appointment.id))
             .where(Appointment.tenant_id == principal.tenant_id,
                    Appointment.scheduled_at >= since, Appointment.scheduled_at < until,
                    scope.where(Appointment.salesperson_id, Appointment.branch)))
    if status:
        query = query.where(Appointment.status == status)
    rows = await db.execute(query.order_by(Appointment.scheduled_at, Appointment.id).limit(500))
    return [(a, v) for a, v in rows]


async def visit_of(db: AsyncSession, principal: Principal, appointment_id: uuid.UUID
                   ) -> uuid.UUID | None:
    return await db.scalar(select(Visit.id).where(
        Visit.tenant_id == principal.tenant_id, Visit.appointment_id == appointment_id))


async def visits(db: AsyncSession, principal: Principal, on: date) -> list[Visit]:
    """The day's traffic (UTC), earliest first."""
    since, until = _day(on)
    scope = await scope_of(db, principal)
    return list((await db.execute(select(Visit).where(
        Visit.tenant_id == principal.tenant_id, Visit.arrived_at >= since,
        Visit.arrived_at < until, scope.where(Visit.salesperson_id, Visit.branch))
        .order_by(Visit.arrived_at, Visit.id).limit(1000))).scalars())
