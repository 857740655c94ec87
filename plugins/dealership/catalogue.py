"""The catalogue: vehicle definitions with their colours and options, and the stock units
on the lot or on their way (VIN checked by the tenant's market)."""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import (
    Page,
    Principal,
    TenantHooks,
    audit,
    by_id,
    conflict,
    cut,
    invalid,
    load_settings,
    newest_first,
    not_found,
)
from rapport_plugins.dealership.events import announce
from rapport_plugins.dealership.models import Order, StockUnit, Vehicle
from rapport_plugins.dealership.roles import require_manager
from rapport_plugins.dealership.schemas import StockIn, StockPatch, VehicleIn, VehiclePatch
from rapport_plugins.dealership.settings import DealershipSettings
from rapport_plugins.dealership.vin import clean_vin


async def settings_of(db: AsyncSession, principal: Principal) -> DealershipSettings:
    return await load_settings(db, principal.tenant_id, "dealership", DealershipSettings)


async def vehicle_of(db: AsyncSession, principal: Principal, vehicle_id: uuid.UUID,
                     field: str | None = None) -> Vehicle:
    """The tenant's vehicle; 404 (or 422 naming ``field`` when it came in a body)."""
    found = (await db.execute(select(Vehicle).where(
        Vehicle.tenant_id == principal.tenant_id, Vehicle.id == vehicle_id))).scalar_one_or_none()
    if found is None:
        if field:
            raise invalid(field, "no such vehicle in this dealership")
        raise not_found("Vehicle")
    return found


def colour_codes(vehicle: Vehicle) -> list[str]:
    return [c["code"] for c in vehicle.colours]


async def add_vehicle(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                      data: VehicleIn) -> Vehicle:
    require_manager(principal)
    codes = [c.code for c in data.colours]
    if len(set(codes)) != len(codes):
        raise invalid("colours", "each colour code once")
    vehicle = Vehicle(tenant_id=principal.tenant_id, make=data.make, model=data.model,
                      model_year=data.model_year, trim=data.trim, body=data.body,
                      engine=data.engine, colours=msgspec.to_builtins(data.colours),
                      options=msgspec.to_builtins(data.options),
                      base_price_minor=data.base_price_minor, currency=data.currency)
    try:
        async with db.begin_nested():
            db.add(vehicle)
            await db.flush()
    except IntegrityError as exc:
        raise conflict("This make, model, year and trim is already in the catalogue") from exc
    await audit.record(db, principal, audit.CREATE, "dealership.vehicle", vehicle.id,
                       changes={"make": [None, vehicle.make], "model": [None, vehicle.model]})
    await announce(db, principal, hooks, "dealership.vehicle_added", "dealership.vehicle",
               vehicle.id, {"make": vehicle.make, "model": vehicle.model,
                            "model_year": vehicle.model_year, "trim": vehicle.trim})
    return vehicle


async def _codes_in_use(db: AsyncSession, principal: Principal, vehicle: Vehicle
                        ) -> tuple[set[str], set[str]]:
    """The colour codes and option codes the vehicle's orders and stock units use."""
    colours: set[str] = set()
    options: set[str] = set()
    orders = (await db.execute(select(Order.colour_code, Order.alternative_colours,
                                      Order.options).where(
        Order.tenant_id == principal.tenant_id, Order.vehicle_id == vehicle.id))).all()
    for colour, alternatives, chosen in orders:
        colours.update([colour, *(alternatives or [])])
        options.update(chosen or [])
    colours.update((await db.execute(select(StockUnit.colour_code).where(
        StockUnit.tenant_id == principal.tenant_id,
        StockUnit.vehicle_id == vehicle.id))).scalars())
    return colours, options


async def edit_vehicle(db: AsyncSession, principal: Principal, vehicle_id: uuid.UUID,
                       data: VehiclePatch) -> Vehicle:
    """Correct a definition (managers): 422 for a code twice, 409 when the same make,
    model, year and trim exists or a removed colour or option is on an order or a unit."""
    require_manager(principal)
    vehicle = await vehicle_of(db, principal, vehicle_id)
    changes = data.changes()
    for name in ("colours", "options"):
        if name in changes:
            codes = [c.code for c in changes[name]]
            if len(set(codes)) != len(codes):
                raise invalid(name, f"each {name[:-1]} code once")
    if "colours" in changes or "options" in changes:
        colours_used, options_used = await _codes_in_use(db, principal, vehicle)
        if "colours" in changes:
            gone = sorted(colours_used - {c.code for c in changes["colours"]})
            if gone:
                raise conflict(f"Colours {', '.join(gone)} are on orders or stock units "
                               "of this vehicle; they cannot be removed")
        if "options" in changes:
            gone = sorted(options_used - {o.code for o in changes["options"]})
            if gone:
                raise conflict(f"Options {', '.join(gone)} are on orders of this vehicle; "
                               "they cannot be removed")
    before = {name: getattr(vehicle, name) for name in changes}
    for name, value in changes.items():
        setattr(vehicle, name, msgspec.to_builtins(value)
                if name in ("colours", "options") else value)
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError as exc:
        raise conflict("This make, model, year and trim is already in the catalogue") from exc
    await audit.record(db, principal, audit.UPDATE, "dealership.vehicle", vehicle.id,
                       changes={name: [before[name], getattr(vehicle, name)]
                                for name in changes if before[name] != getattr(vehicle, name)})
    return vehicle


async def list_vehicles(db: AsyncSession, principal: Principal, cursor: str | None,
                        limit: int, make: str | None = None) -> Page[Vehicle]:
    query = select(Vehicle).where(Vehicle.tenant_id == principal.tenant_id)
    if make:
        query = query.where(Vehicle.make == make)
    rows = (await db.execute(newest_first(query, Vehicle.id, cursor, limit))).scalars().all()
    return cut(rows, limit, by_id)


async def unit_of(db: AsyncSession, principal: Principal, unit_id: uuid.UUID, *,
                  lock: bool = False, field: str | None = None) -> StockUnit:
    query = select(StockUnit).where(StockUnit.tenant_id == principal.tenant_id,
                                    StockUnit.id == unit_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    found = (await db.execute(query)).scalar_one_or_none()
    if found is None:
        if field:
            raise invalid(field, "no such stock unit in this dealership")
        raise not_found("Stock unit")
    return found


async def add_unit(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                   data: StockIn) -> StockUnit:
    require_manager(principal)
    settings = await settings_of(db, principal)
    vin = clean_vin(data.vin, settings.market)
    vehicle = await vehicle_of(db, principal, data.vehicle_id, "vehicle_id")
    if data.colour_code not in colour_codes(vehicle):
        raise invalid("colour_code", f"{vehicle.model} is not offered in {data.colour_code}")
    unit = StockUnit(tenant_id=principal.tenant_id, vehicle_id=vehicle.id, vin=vin,
                     colour_code=data.colour_code, status=data.status, branch=data.branch)
    try:
        async with db.begin_nested():
            db.add(unit)
            await db.flush()
    except IntegrityError as exc:
        raise conflict(f"VIN {vin} is already in stock") from exc
    await announce(db, principal, hooks, "dealership.stock_added", "dealership.stock", unit.id,
               {"vin": vin, "vehicle_id": vehicle.id, "status": unit.status})
    return unit


async def change_unit(db: AsyncSession, principal: Principal, unit_id: uuid.UUID,
                      data: StockPatch) -> StockUnit:
    require_manager(principal)
    unit = await unit_of(db, principal, unit_id, lock=True)
    if data.status is not msgspec.UNSET:
        if unit.status in ("reserved", "sold"):
            raise conflict(f"A {unit.status} unit follows its order; release it there")
        unit.status = data.status
    if data.branch is not msgspec.UNSET:
        unit.branch = data.branch
    await db.flush()
    return unit


async def list_units(db: AsyncSession, principal: Principal, cursor: str | None, limit: int,
                     vehicle_id: uuid.UUID | None, status: str | None) -> Page[StockUnit]:
    query = select(StockUnit).where(StockUnit.tenant_id == principal.tenant_id)
    if vehicle_id:
        query = query.where(StockUnit.vehicle_id == vehicle_id)
    if status:
        query = query.where(StockUnit.status == status)
    rows = (await db.execute(newest_first(query, StockUnit.id, cursor, limit))).scalars().all()
    return cut(rows, limit, by_id)
