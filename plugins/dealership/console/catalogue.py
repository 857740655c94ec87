"""The catalogue screen: vehicle definitions (make, model, year, trim, colours with their
paint codes, options with their prices, base price) and the stock units by VIN — listed and
filtered by vehicle and status for everyone who sells; added and edited by managers (the
services refuse anyone else, as the API does)."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import FieldError, Principal, RapportError, Screen, TenantHooks, invalid_many
from rapport_plugins.dealership import catalogue
from rapport_plugins.dealership.console.forms import attempt, errors_of, go, minor, parse, posted
from rapport_plugins.dealership.models import Vehicle
from rapport_plugins.dealership.roles import is_manager
from rapport_plugins.dealership.schemas import StockIn, StockPatch, VehicleIn, VehiclePatch

BASE = "/apps/dealership"
STATUSES = ("in_stock", "reserved", "in_transit", "sold")


def _colours(text: str) -> list[dict[str, str]]:
    """One colour a line: the paint code, a space, its name (``F9R Velvet red``)."""
    out = []
    for line in (raw.strip() for raw in text.splitlines()):
        if line:
            code, _, name = line.partition(" ")
            out.append({"code": code, "name": name.strip()})
    return out


def _options(text: str) -> list[dict[str, Any]]:
    """One option a line: code, name and, after ``=``, its price in major units
    (``WP1 Winter pack = 1200``)."""
    out = []
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        spec, _, price = line.partition("=")
        code, _, name = spec.strip().partition(" ")
        try:
            amount = minor(price) or 0
        except RapportError:
            raise invalid_many([FieldError("options", f"{code}: the price must be a number")]
                               ) from None
        out.append({"code": code, "name": name.strip(), "price_minor": amount})
    return out


async def _screen(request: Request, db: AsyncSession, principal: Principal, *,
                  status: int = 200, failed: str | None = None,
                  errors: dict[str, str] | None = None,
                  values: dict[str, Any] | None = None) -> Screen:
    query = request.query_params
    vehicle_filter = query.get("vehicle_id") or ""
    status_filter = query.get("status") if query.get("status") in STATUSES else None
    try:
        chosen = uuid.UUID(vehicle_filter) if vehicle_filter else None
    except ValueError:
        chosen = None
    vehicles = (await db.execute(select(Vehicle).where(
        Vehicle.tenant_id == principal.tenant_id).order_by(
        Vehicle.make, Vehicle.model, Vehicle.model_year.desc(), Vehicle.trim).limit(500))
        ).scalars().all()
    units = await catalogue.list_units(db, principal, query.get("cursor") or None, 100,
                                       chosen, status_filter)
    settings = await catalogue.settings_of(db, principal)
    return Screen("dealership/catalogue.html", "Catalogue", {
        "vehicles": vehicles, "by_id": {v.id: v for v in vehicles}, "units": units.items,
        "next_cursor": units.next_cursor, "statuses": STATUSES,
        "filters": {"vehicle_id": str(chosen) if chosen else "", "status": status_filter or ""},
        "manager": is_manager(principal), "currency": settings.currency,
        "failed": failed, "errors": errors or {}, "values": values or {}}, status=status)


@get("/catalogue")
async def catalogue_page(request: Request, principal: NamedDependency[Principal],
                         db: NamedDependency[AsyncSession]) -> Screen:
    return await _screen(request, db, principal)


async def _run(request: Request, db: AsyncSession, principal: Principal, form_name: str,
               form: dict[str, Any], action: Any) -> Screen | Response[Any]:
    """Run a form's action in a savepoint; refused, the screen again with the reason beside
    the field and what was typed."""
    try:
        await attempt(db, action)
    except RapportError as exc:
        if exc.status not in (403, 404, 409, 422):
            raise
        return await _screen(request, db, principal, status=exc.status, failed=form_name,
                             errors=errors_of(exc), values=form)
    return go(request, f"{BASE}/catalogue")


@post("/catalogue/vehicles", status_code=200)
async def add_vehicle(request: Request, principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession],
                      hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)

    async def run() -> Any:
        try:
            price = minor(form.get("base_price"))
        except RapportError:
            raise invalid_many([FieldError("base_price_minor", "must be a number")]) from None
        data = parse({**{k: form.get(k) for k in ("make", "model", "model_year", "trim",
                                                   "body", "engine", "currency")},
                      "base_price_minor": price,
                      "colours": _colours(str(form.get("colours", ""))),
                      "options": _options(str(form.get("option_lines", "")))}, VehicleIn)
        return await catalogue.add_vehicle(db, principal, hooks, data)
    return await _run(request, db, principal, "vehicle", form, run)


@post("/catalogue/vehicles/{vehicle_id:uuid}", status_code=200)
async def edit_vehicle(request: Request, vehicle_id: FromPath[uuid.UUID],
                       principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession]) -> Screen | Response[Any]:
    """A definition corrected from its form: every field is sent (blank body or engine
    clears it; a blank required field is refused beside it), as PATCH /vehicles/{id}."""
    form = await posted(request)

    async def run() -> Any:
        blank = [FieldError(k, "required") for k in ("make", "model", "model_year", "trim",
                                                      "base_price") if not form.get(k)]
        if blank:
            raise invalid_many(blank)
        try:
            price = minor(form.get("base_price"))
        except RapportError:
            raise invalid_many([FieldError("base_price", "must be a number")]) from None
        colours = _colours(str(form.get("colours", "")))
        if not colours:
            raise invalid_many([FieldError("colours", "at least one colour")])
        data = parse({**{k: form.get(k) for k in ("make", "model", "model_year", "trim",
                                                   "body", "engine")},
                      "base_price_minor": price, "colours": colours,
                      "options": _options(str(form.get("option_lines", "")))}, VehiclePatch)
        # Blank on the form means none: parse leaves blanks out (unchanged), so say so.
        if data.options is msgspec.UNSET:
            data.options = []
        for name in ("body", "engine"):
            if not form.get(name):
                setattr(data, name, None)
        return await catalogue.edit_vehicle(db, principal, vehicle_id, data)
    return await _run(request, db, principal, f"vehicle-{vehicle_id}", form, run)


@post("/catalogue/stock", status_code=200)
async def add_unit(request: Request, principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession],
                   hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)

    async def run() -> Any:
        data = parse({k: form.get(k) for k in ("vehicle_id", "vin", "colour_code", "status",
                                               "branch")}, StockIn)
        return await catalogue.add_unit(db, principal, hooks, data)
    return await _run(request, db, principal, "unit", form, run)


@post("/catalogue/stock/{unit_id:uuid}", status_code=200)
async def change_unit(request: Request, unit_id: FromPath[uuid.UUID],
                      principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession]) -> Screen | Response[Any]:
    """A free unit moved between in stock and in transit, or to another branch (blank: no
    branch)."""
    form = await posted(request)

    async def run() -> Any:
        data = parse({"status": form.get("status"), "branch": form.get("branch")},
                     StockPatch)
        if not form.get("branch"):
            data.branch = None
        return await catalogue.change_unit(db, principal, unit_id, data)
    return await _run(request, db, principal, f"edit-{unit_id}", form, run)


PAGES = [catalogue_page, add_vehicle, edit_vehicle, add_unit, change_unit]
