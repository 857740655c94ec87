"""``/appointments`` and ``/visits``: the showroom's appointments and traffic."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, TenantHooks
from rapport_plugins.dealership import floor
from rapport_plugins.dealership.models import Appointment, Visit
from rapport_plugins.dealership.schemas import (
    AppointmentIn,
    AppointmentList,
    AppointmentOut,
    AppointmentOutcomeIn,
    AppointmentStatus,
    VisitIn,
    VisitList,
    VisitOut,
)


def appointment_out(a: Appointment, visit_id: uuid.UUID | None) -> AppointmentOut:
    return AppointmentOut(a.id, a.contact_id, a.salesperson_id, a.branch, a.scheduled_at,
                          a.purpose, a.status, a.decided_at, visit_id,  # type: ignore[arg-type]
                          a.created_at)


def visit_out(v: Visit) -> VisitOut:
    return VisitOut(v.id, v.contact_id, v.salesperson_id, v.branch, v.arrived_at,
                    v.source, v.appointment_id, v.interaction_id, v.note)  # type: ignore[arg-type]


def _today() -> date:
    return datetime.now(UTC).date()


class AppointmentController(Controller):
    path = "/appointments"

    @post("/", status_code=201)
    async def set_(self, data: JSONBody[AppointmentIn], principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession],
                   hooks: NamedDependency[TenantHooks]) -> AppointmentOut:
        """An appointment with a customer, in the future (422 naming ``scheduled_at``)."""
        return appointment_out(await floor.set_appointment(db, principal, hooks, data), None)

    @get("/")
    async def list_(self, principal: NamedDependency[Principal],
                    db: NamedDependency[AsyncSession], on: FromQuery[date | None] = None,
                    status: FromQuery[AppointmentStatus | None] = None) -> AppointmentList:
        """The day's appointments (UTC, default today), earliest first; a salesperson's
        own, a branch manager's branch."""
        rows = await floor.appointments(db, principal, on or _today(), status)
        return AppointmentList([appointment_out(a, v) for a, v in rows])

    @get("/{appointment_id:uuid}")
    async def read(self, appointment_id: FromPath[uuid.UUID],
                   principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession]) -> AppointmentOut:
        row = await floor.appointment_of(db, principal, appointment_id)
        return appointment_out(row, await floor.visit_of(db, principal, row.id))

    @post("/{appointment_id:uuid}/outcome", status_code=200)
    async def outcome(self, appointment_id: FromPath[uuid.UUID],
                      data: JSONBody[AppointmentOutcomeIn],
                      principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                      hooks: NamedDependency[TenantHooks]) -> AppointmentOut:
        """shown (records the visit), no_show (once its time has come) or cancelled; 409
        when already decided."""
        row, visit = await floor.decide_appointment(db, principal, hooks, appointment_id, data)
        return appointment_out(row, visit.id if visit else None)


class VisitController(Controller):
    path = "/visits"

    @post("/", status_code=201)
    async def record(self, data: JSONBody[VisitIn], principal: NamedDependency[Principal],
                     db: NamedDependency[AsyncSession],
                     hooks: NamedDependency[TenantHooks]) -> VisitOut:
        """A customer on the showroom floor (walk-in or be-back), logged on their timeline."""
        return visit_out(await floor.record_visit(db, principal, hooks, data))

    @get("/")
    async def list_(self, principal: NamedDependency[Principal],
                    db: NamedDependency[AsyncSession],
                    on: FromQuery[date | None] = None) -> VisitList:
        """The day's traffic (UTC, default today), earliest first."""
        return VisitList([visit_out(v) for v in await floor.visits(db, principal,
                                                                   on or _today())])
