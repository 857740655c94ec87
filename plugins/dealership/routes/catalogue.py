"""``/vehicles`` (definitions with colours and options) and ``/stock`` (units by VIN)."""

from __future__ import annotations

import uuid

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, ShortText, TenantHooks
from rapport_plugins.dealership import catalogue
from rapport_plugins.dealership.routes import Cursor, Limit
from rapport_plugins.dealership.schemas import (
    StockIn,
    StockList,
    StockOut,
    StockPatch,
    StockStatus,
    VehicleIn,
    VehicleList,
    VehicleOut,
    VehiclePatch,
)
from rapport_plugins.dealership.views import stock_out, vehicle_out


class VehicleController(Controller):
    path = "/vehicles"

    @post("/", status_code=201)
    async def add(self, data: JSONBody[VehicleIn], principal: NamedDependency[Principal],
                  db: NamedDependency[AsyncSession],
                  hooks: NamedDependency[TenantHooks]) -> VehicleOut:
        """A vehicle definition with its colours (manufacturer codes) and options."""
        return vehicle_out(await catalogue.add_vehicle(db, principal, hooks, data))

    @get("/")
    async def list_(self, principal: NamedDependency[Principal],
                    db: NamedDependency[AsyncSession], make: FromQuery[ShortText | None] = None,
                    cursor: Cursor = None, limit: Limit = 50) -> VehicleList:
        page = await catalogue.list_vehicles(db, principal, cursor, limit, make)
        return VehicleList([vehicle_out(v) for v in page.items], page.next_cursor)

    @get("/{vehicle_id:uuid}")
    async def read(self, vehicle_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession]) -> VehicleOut:
        return vehicle_out(await catalogue.vehicle_of(db, principal, vehicle_id))


    @patch("/{vehicle_id:uuid}")
    async def change(self, vehicle_id: FromPath[uuid.UUID], data: JSONBody[VehiclePatch],
                     principal: NamedDependency[Principal],
                     db: NamedDependency[AsyncSession]) -> VehicleOut:
        """Correct a definition (managers): only the fields sent change, ``null`` clears
        body or engine; 409 when the make, model, year and trim exists already or a removed
        colour or option is on an order or a stock unit; 422 for a code given twice."""
        return vehicle_out(await catalogue.edit_vehicle(db, principal, vehicle_id, data))


class StockController(Controller):
    path = "/stock"

    @post("/", status_code=201)
    async def add(self, data: JSONBody[StockIn], principal: NamedDependency[Principal],
                  db: NamedDependency[AsyncSession],
                  hooks: NamedDependency[TenantHooks]) -> StockOut:
        """A unit by VIN (17 characters, no I/O/Q; check digit where the market uses it)."""
        return stock_out(await catalogue.add_unit(db, principal, hooks, data))

    @get("/")
    async def list_(self, principal: NamedDependency[Principal],
                    db: NamedDependency[AsyncSession],
                    vehicle_id: FromQuery[uuid.UUID | None] = None,
                    status: FromQuery[StockStatus | None] = None,
                    cursor: Cursor = None, limit: Limit = 50) -> StockList:
        page = await catalogue.list_units(db, principal, cursor, limit, vehicle_id, status)
        return StockList([stock_out(u) for u in page.items], page.next_cursor)

    @get("/{unit_id:uuid}")
    async def read(self, unit_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession]) -> StockOut:
        return stock_out(await catalogue.unit_of(db, principal, unit_id))

    @patch("/{unit_id:uuid}")
    async def change(self, unit_id: FromPath[uuid.UUID], data: JSONBody[StockPatch],
                     principal: NamedDependency[Principal],
                     db: NamedDependency[AsyncSession]) -> StockOut:
        """Move a free unit between in stock and in transit, or to another branch."""
        return stock_out(await catalogue.change_unit(db, principal, unit_id, data))
