"""Order screens: the board by stage, a new order, and the order page (colours, deposits,
the history of promised dates, its promises, the next stage)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, SkipValidation
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Contact, Principal, RapportError, Screen, TenantHooks, Workflow
from rapport_plugins.dealership import (
    catalogue,
    finance,
    money,
    orders,
    promises,
    staff,
    stages,
)
from rapport_plugins.dealership.console.forms import (
    attempt,
    end_of_day,
    errors_of,
    go,
    minor,
    parse,
    posted,
)
from rapport_plugins.dealership.members import names
from rapport_plugins.dealership.models import (
    FinanceApplication,
    FiProduct,
    Order,
    Promise,
    TradeIn,
    Vehicle,
)
from rapport_plugins.dealership.roles import is_manager
from rapport_plugins.dealership.schemas import (
    DeliveryDateIn,
    DepositIn,
    OrderIn,
    OrderPatch,
    PromiseIn,
    TransitionIn,
)
from rapport_plugins.dealership.workflow import ORDER, STAGES, stage_index

Definitions = SkipValidation[Mapping[str, Workflow]]
BASE = "/apps/dealership"


@get("/")
async def board(request: Request, principal: NamedDependency[Principal],
                db: NamedDependency[AsyncSession]) -> Screen:
    """Open orders in columns by stage (a salesperson's own), newest first in each;
    filtered by salesperson (managers), branch, stage and overdue (expected delivery
    passed, not yet delivered). A filter value that is none of these is ignored."""
    q = request.query_params
    stage = q.get("stage") if q.get("stage") in STAGES else None
    try:
        seller = uuid.UUID(q["salesperson_id"]) if q.get("salesperson_id") else None
    except ValueError:
        seller = None
    branch = (q.get("branch") or "").strip()[:100] or None
    overdue = q.get("overdue") == "1"
    page = await orders.search(db, principal, state=stage, contact_id=None,
                               salesperson_id=seller, cursor=None, limit=200, branch=branch,
                               overdue_on=datetime.now(UTC).date() if overdue else None)
    who = await _customers(db, principal, {o.contact_id for o in page.items})
    columns = [(s, ORDER.state(s).label if ORDER.state(s) else s,  # type: ignore[union-attr]
                [o for o in page.items if o.state == s]) for s in STAGES
               if stage is None or s == stage]
    sellers = ([(str(p.member_id), p.name) for p in await staff.roster(db, principal)]
               if is_manager(principal) else [])
    return Screen("dealership/board.html", "Orders", {
        "columns": columns, "who": who, "stages": STAGES, "sellers": sellers,
        "filters": {"stage": stage or "", "salesperson_id": str(seller) if seller else "",
                    "branch": branch or "", "overdue": overdue}})


async def _customers(db: AsyncSession, principal: Principal,
                     ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await db.execute(select(Contact.id, Contact.display_name).where(
        Contact.tenant_id == principal.tenant_id, Contact.id.in_(ids)))
    return {i: n or "—" for i, n in rows}


async def _new_form(db: AsyncSession, principal: Principal, *, status: int = 200,
                    values: dict[str, Any] | None = None,
                    errors: dict[str, str] | None = None) -> Screen:
    contacts = (await db.execute(select(Contact.id, Contact.display_name).where(
        Contact.tenant_id == principal.tenant_id).order_by(Contact.id.desc()).limit(200))).all()
    vehicles = (await db.execute(select(Vehicle).where(
        Vehicle.tenant_id == principal.tenant_id).order_by(Vehicle.make, Vehicle.model)
        .limit(200))).scalars().all()
    return Screen("dealership/new_order.html", "New order", {
        "contacts": [(str(i), n or "—") for i, n in contacts], "vehicles": vehicles,
        "values": values or {}, "errors": errors or {}}, status=status)


@get("/orders/new")
async def new_order(principal: NamedDependency[Principal],
                    db: NamedDependency[AsyncSession]) -> Screen:
    return await _new_form(db, principal)


@post("/orders", status_code=200)
async def create_order(request: Request, principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession],
                       hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)
    values = {**form, "price_minor": None}
    try:
        values["discount_minor"] = minor(form.get("discount")) or 0
        values.pop("discount", None)
        data = parse(values, OrderIn)
        order = await attempt(db, lambda: orders.create(db, principal, hooks, data))
    except RapportError as exc:
        if exc.status not in (403, 422):
            raise
        return await _new_form(db, principal, status=exc.status, values=form,
                               errors=errors_of(exc))
    return go(request, f"{BASE}/orders/{order.id}")


def _chains(found: Sequence[Promise]) -> tuple[list[Promise], dict[uuid.UUID, list[Promise]]]:
    """The order's promises as renegotiation chains: the latest of each (where the
    decisions are made) and, by its id, the promises it replaced, oldest first (what
    GET /promises/{id}/chain answers, from the rows already read)."""
    by_id = {p.id: p for p in found}
    heads = [p for p in found if p.superseded_by is None or p.superseded_by not in by_id]
    earlier: dict[uuid.UUID, list[Promise]] = {}
    for head in heads:
        links, link = [], head
        while link.supersedes is not None and link.supersedes in by_id:
            link = by_id[link.supersedes]
            links.append(link)
        if links:
            earlier[head.id] = links[::-1]
    return heads, earlier


async def _order_page(db: AsyncSession, principal: Principal, order_id: uuid.UUID, *,
                      status: int = 200, errors: dict[str, str] | None = None,
                      failed: str | None = None,
                      values: dict[str, Any] | None = None) -> Screen:
    order = await orders.order_of(db, principal, order_id)
    vehicle = await catalogue.vehicle_of(db, principal, order.vehicle_id)
    payments, holding = await money.payments(db, principal, order.id)
    log = await orders.entries(db, principal, order.id)
    found = await promises.search(db, principal, status=None, due_before=None, member_id=None,
                                  contact_id=None, order_id=order.id, overdue=None,
                                  cursor=None, limit=100)
    heads, earlier = _chains(found.items)
    who = await _customers(db, principal, {order.contact_id})
    seller = await names(db, principal.tenant_id, [order.salesperson_id])
    colours = {c["code"]: c["name"] for c in vehicle.colours}
    moves = [t for t in ORDER.transitions_from(order.state)]
    trade_ins = await finance.rows_of(db, principal, order.id, TradeIn)
    financing = await finance.rows_of(db, principal, order.id, FinanceApplication)
    products = await finance.rows_of(db, principal, order.id, FiProduct)
    # Managers reassign an open order to one of their people (a branch manager: the branch's).
    sellers = ([(str(p.member_id), p.name) for p in await staff.roster(db, principal)]
               if is_manager(principal) and order.state not in ("delivered", "cancelled",
                                                                "unwound") else [])
    # Free units of the same vehicle to reserve (the service refuses a colour not accepted).
    units = await catalogue.list_units(db, principal, None, 100, order.vehicle_id, None)
    reserved = (await catalogue.unit_of(db, principal, order.stock_unit_id)
                if order.stock_unit_id else None)
    cutoff = (await catalogue.settings_of(db, principal)).change_cutoff
    return Screen("dealership/order.html", "Order", {
        "order": await orders.order_out(db, order, holding), "vehicle": vehicle,
        "colours": colours, "payments": payments, "held": holding,
        "dates": [e for e in log if e.kind == "date_changed"], "log": log,
        "promises": heads, "earlier": earlier, "customer": who.get(order.contact_id, "—"),
        "seller": seller.get(order.salesperson_id, ""), "moves": moves,
        "errors": errors or {}, "failed": failed, "now_utc": datetime.now(UTC),
        "trade_ins": trade_ins, "financing": financing, "products": products,
        "sellers": sellers, "values": values or {}, "reserved": reserved,
        "free_units": [(str(u.id), f"{u.vin} · {u.colour_code} {colours.get(u.colour_code, '')}")
                       for u in units.items if u.status in ("in_stock", "in_transit")],
        "cutoff": cutoff, "past_cutoff": stage_index(order.state) >= stage_index(cutoff),
        "split_rows": range(3),
        "split_names": await names(db, principal.tenant_id,
                                   [uuid.UUID(str(s["member_id"])) for s in order.splits])},
        status=status)


@get("/orders/{order_id:uuid}")
async def order_page(order_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                     db: NamedDependency[AsyncSession]) -> Screen:
    return await _order_page(db, principal, order_id)


async def _act(request: Request, db: AsyncSession, principal: Principal, order_id: uuid.UUID,
               form_name: str, action: Any, prefix: str = "") -> Screen | Response[Any]:
    """Run a form's action; refused, the order page again with the errors (keyed by the
    form's own field names: ``prefix`` + the API's field) and what was typed, to correct."""
    try:
        await attempt(db, action)
    except RapportError as exc:
        if exc.status not in (403, 404, 409, 422):
            raise
        errors = {(k if k == "form" else prefix + k): m for k, m in errors_of(exc).items()}
        return await _order_page(db, principal, order_id, status=exc.status,
                                 errors=errors, failed=form_name,
                                 values=await posted(request))
    return go(request, f"{BASE}/orders/{order_id}")


@post("/orders/{order_id:uuid}/deposits", status_code=200)
async def add_deposit(request: Request, order_id: FromPath[uuid.UUID],
                      principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                      hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)

    async def run() -> Any:
        amount = minor(form.get("amount"))
        data = parse({"amount_minor": amount, "currency": form.get("currency"),
                      "receipt": form.get("receipt")}, DepositIn)
        return await money.pay(db, principal, hooks, order_id, data)
    return await _act(request, db, principal, order_id, "deposit", run)


@post("/orders/{order_id:uuid}/salesperson", status_code=200)
async def reassign(request: Request, order_id: FromPath[uuid.UUID],
                   principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                   hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    """A manager reassigns the order; another branch's member is refused beside the field."""
    form = await posted(request)

    async def run() -> Any:
        data = parse({"salesperson_id": form.get("salesperson_id") or None}, OrderPatch)
        return await orders.change(db, principal, hooks, order_id, data)
    return await _act(request, db, principal, order_id, "salesperson", run)


@post("/orders/{order_id:uuid}/transition", status_code=200)
async def move(request: Request, order_id: FromPath[uuid.UUID],
               principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
               hooks: NamedDependency[TenantHooks],
               workflow_definitions: NamedDependency[Definitions]) -> Screen | Response[Any]:
    form = await posted(request)

    async def run() -> Any:
        data = parse(form, TransitionIn)
        return await stages.transition(db, principal, hooks, workflow_definitions, order_id,
                                       data)
    return await _act(request, db, principal, order_id, "transition", run)


@post("/orders/{order_id:uuid}/delivery-date", status_code=200)
async def move_date(request: Request, order_id: FromPath[uuid.UUID],
                    principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                    hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)

    async def run() -> Any:
        data = parse({**form, "agreed_with_customer": form.get("agreed_with_customer") == "on"},
                     DeliveryDateIn)
        return await stages.change_delivery(db, principal, hooks, order_id, data)
    return await _act(request, db, principal, order_id, "date", run)


@post("/orders/{order_id:uuid}/promises", status_code=200)
async def promise_on_order(request: Request, order_id: FromPath[uuid.UUID],
                           principal: NamedDependency[Principal],
                           db: NamedDependency[AsyncSession],
                           hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)

    async def run() -> Any:
        order: Order = await orders.order_of(db, principal, order_id)
        probability = form.get("probability") or ""
        data = parse({**form, "contact_id": str(order.contact_id), "order_id": str(order.id),
                      "due_at": end_of_day(str(form.get("due_on", ""))),
                      "due_on": None,
                      "probability": (float(probability) / 100 if probability.replace(
                          ".", "", 1).isdigit() else probability)}, PromiseIn)
        return await promises.make(db, principal, hooks, data)
    return await _act(request, db, principal, order_id, "promise", run)


PAGES = [board, new_order, create_order, order_page, add_deposit, reassign, move, move_date,
         promise_on_order]
