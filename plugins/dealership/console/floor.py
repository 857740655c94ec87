"""The showroom screen: today's appointments with one-click shown / no-show / cancelled, the
day's traffic, and forms to set an appointment and to record a walk-in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Contact, Principal, RapportError, Screen, TenantHooks
from rapport_plugins.dealership import floor
from rapport_plugins.dealership.console.forms import attempt, errors_of, go, parse, posted
from rapport_plugins.dealership.members import names
from rapport_plugins.dealership.schemas import AppointmentIn, AppointmentOutcomeIn, VisitIn

BASE = "/apps/dealership"


async def _contacts(db: AsyncSession, principal: Principal) -> list[tuple[str, str]]:
    rows = await db.execute(select(Contact.id, Contact.display_name).where(
        Contact.tenant_id == principal.tenant_id, Contact.deleted_at.is_(None))
        .order_by(Contact.id.desc()).limit(200))
    return [(str(i), n or "—") for i, n in rows]


async def _page(db: AsyncSession, principal: Principal, *, status: int = 200,
                failed: str | None = None, errors: dict[str, str] | None = None,
                values: dict[str, Any] | None = None) -> Screen:
    today = datetime.now(UTC).date()
    booked = await floor.appointments(db, principal, today)
    traffic = await floor.visits(db, principal, today)
    ids = {a.contact_id for a, _ in booked} | {v.contact_id for v in traffic}
    who: dict[uuid.UUID, str] = {}
    if ids:
        who = {i: n or "—" for i, n in await db.execute(select(
            Contact.id, Contact.display_name).where(
            Contact.tenant_id == principal.tenant_id, Contact.id.in_(ids)))}
    sellers = await names(db, principal.tenant_id,
                          {a.salesperson_id for a, _ in booked} | {v.salesperson_id
                                                                   for v in traffic})
    return Screen("dealership/floor.html", "Showroom", {
        "appointments": booked, "traffic": traffic, "who": who, "sellers": sellers,
        "contacts": await _contacts(db, principal), "now": datetime.now(UTC),
        "failed": failed, "errors": errors or {}, "values": values or {}}, status=status)


@get("/floor")
async def showroom(principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession]) -> Screen:
    return await _page(db, principal)


async def _act(request: Request, db: AsyncSession, principal: Principal, name: str,
               form: dict[str, Any], action: Any) -> Screen | Response[Any]:
    try:
        await attempt(db, action)
    except RapportError as exc:
        if exc.status not in (403, 404, 409, 422):
            raise
        return await _page(db, principal, status=exc.status, failed=name,
                           errors=errors_of(exc), values=form)
    return go(request, f"{BASE}/floor")


def _local(value: Any) -> str | None:
    """A ``datetime-local`` field (the browser's wall clock) read as UTC."""
    text = str(value or "")
    if not text:
        return None
    if len(text) == 16:  # browsers send minutes only: 2026-12-02T10:30
        text += ":00"
    return text + ("" if "+" in text[10:] or text.endswith("Z") else "+00:00")


@post("/floor/appointments", status_code=200)
async def book(request: Request, principal: NamedDependency[Principal],
               db: NamedDependency[AsyncSession],
               hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)

    async def run() -> Any:
        data = parse({"contact_id": form.get("contact_id"),
                      "scheduled_at": _local(form.get("scheduled_at")),
                      "purpose": form.get("purpose")}, AppointmentIn)
        return await floor.set_appointment(db, principal, hooks, data)
    return await _act(request, db, principal, "appointment", form, run)


@post("/floor/appointments/{appointment_id:uuid}/outcome", status_code=200)
async def outcome(request: Request, appointment_id: FromPath[uuid.UUID],
                  principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                  hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)

    async def run() -> Any:
        data = parse({"outcome": form.get("outcome")}, AppointmentOutcomeIn)
        return await floor.decide_appointment(db, principal, hooks, appointment_id, data)
    return await _act(request, db, principal, "outcome", form, run)


@post("/floor/visits", status_code=200)
async def walk_in(request: Request, principal: NamedDependency[Principal],
                  db: NamedDependency[AsyncSession],
                  hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)

    async def run() -> Any:
        data = parse({"contact_id": form.get("visit_contact_id"),
                      "source": form.get("source"), "note": form.get("note")}, VisitIn)
        return await floor.record_visit(db, principal, hooks, data)
    return await _act(request, db, principal, "visit", form, run)


PAGES = [showroom, book, outcome, walk_in]
