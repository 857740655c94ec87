"""The pages: each calls the same services as the API, so a screen refuses what the API
refuses (a bad check digit, a blocked card, too few points) with the same words."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, RapportError, Screen, TenantHooks, invalid
from rapport_plugins.retail import accounts, programs, reports, returns, schemas, stock, till
from rapport_plugins.retail.roles import require_manager

Db = NamedDependency[AsyncSession]
Who = NamedDependency[Principal]


def _problem(exc: RapportError) -> str:
    return "; ".join(e.message for e in exc.errors) or exc.detail


async def _till(db: AsyncSession, principal: Principal, number: str | None,
                **extra: Any) -> Screen:
    view, error, status = None, None, 200
    if number:
        try:
            view = await till.card_view(db, principal, number)
        except RapportError as exc:
            if exc.status not in (404, 409, 422):
                raise
            error, status = _problem(exc), exc.status
    return Screen("retail/till.html", "Till",
                  {"view": view, "number": number or "", "error": error, "done": None,
                   "purchase_error": None, "returned": None, "return_error": None, **extra},
                  status=status)


@get("/")
async def till_page(principal: Who, db: Db, card: Annotated[
        str | None, QueryParameter(max_length=24)] = None) -> Screen:
    """Scan or type a card number."""
    return await _till(db, principal, card)


@post("/purchases", status_code=200)
async def record_purchase(request: Request, principal: Who, db: Db,
                          hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await request.form()
    number = str(form.get("card_number", "")).strip()
    try:
        data = schemas.PurchaseIn(
            card_number=number, external_id=str(form.get("external_id", "")) or "-",
            currency=str(form.get("currency", "")), amount=str(form.get("amount", "")).strip()
            or None, voucher_code=str(form.get("voucher_code", "")).strip() or None,
            redeem_points=int(str(form.get("redeem_points") or "0") or 0))
        async with db.begin_nested():  # refused: nothing of it stays
            done = await till.purchase(db, principal, hooks, data)
    except ValueError:
        return await _till(db, principal, number, purchase_error="redeem_points: a number")
    except RapportError as exc:
        if exc.status not in (404, 409, 422):
            raise
        return await _till(db, principal, number, purchase_error=_problem(exc))
    return await _till(db, principal, number, done=done)


@post("/returns", status_code=200)
async def record_return(request: Request, principal: Who, db: Db,
                        hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    """A return at the till: the purchase's receipt number, the return's own number, and
    the money returned or the lines (a row each: SKU and quantity) — as the API takes them."""
    form = await request.form()
    number = str(form.get("card_number", "")).strip()
    try:
        lines = _return_lines(str(form.get("lines", "")))
        # Decoded as the API decodes its body: the same limits, the same field names.
        data = msgspec.convert({
            "purchase_external_id": str(form.get("purchase_external_id", "")).strip(),
            "return_id": str(form.get("return_id", "")).strip(),
            "amount": None if lines else (str(form.get("return_amount", "")).strip() or None),
            "lines": lines}, schemas.ReturnIn)
        async with db.begin_nested():  # refused: nothing of it stays
            returned = await returns.refund(db, principal, hooks, data)
    except msgspec.ValidationError as exc:
        return await _till(db, principal, number, return_error=str(exc))
    except RapportError as exc:
        if exc.status not in (404, 409, 422):
            raise
        return await _till(db, principal, number, return_error=_problem(exc))
    return await _till(db, principal, number, returned=returned)


def _return_lines(text: str) -> list[dict[str, str]]:
    """Rows of "SKU quantity" (the quantity last, so a SKU may hold spaces)."""
    lines = []
    for index, row in enumerate(r for r in text.splitlines() if r.strip()):
        sku, _, quantity = row.strip().rpartition(" ")
        if not sku.strip():
            raise invalid(f"lines[{index}]", f"{row.strip()!r}: a SKU, then the quantity")
        lines.append({"product": sku.strip(), "quantity": quantity})
    return lines


@get("/members/{member_id:uuid}")
async def member_page(member_id: FromPath[uuid.UUID], principal: Who, db: Db) -> Screen:
    page = await accounts.ledger_page(db, principal, member_id, None, 100)
    history = await reports.tier_history(db, principal, member_id)
    return Screen("retail/member.html", "Loyalty member",
                  {"ledger": page, "history": history, "member_id": member_id})


async def _programs(db: AsyncSession, principal: Principal, status: int = 200,
                    **extra: Any) -> Screen:
    require_manager(principal)
    found = await programs.list_programs(db, principal)
    shown = [(p, await reports.program_report(db, principal, p.id),
              [await stock.stock_out(db, s) for s in await stock.list_stock(db, principal, p.id)])
             for p in found]
    return Screen("retail/programs.html", "Loyalty programs",
                  {"programs": shown, "stock_error": None, "stock_program": None,
                   "stock_added": None, **extra}, status=status)


@get("/programs")
async def programs_page(principal: Who, db: Db) -> Screen:
    return await _programs(db, principal)


@post("/programs/{program_id:uuid}/card-stock", status_code=200)
async def add_stock(program_id: FromPath[uuid.UUID], request: Request, principal: Who,
                    db: Db) -> Screen:
    """Register a range of pre-printed cards (the same service as the API)."""
    form = await request.form()
    try:
        count = int(str(form.get("count") or "0"))
        if not 1 <= count <= 1_000_000:
            raise ValueError(count)
    except ValueError:
        return await _programs(db, principal, 422, stock_program=program_id,
                               stock_error="count: a number from 1 to 1000000")
    try:
        async with db.begin_nested():  # refused: nothing of it stays
            added = await stock.register(db, principal, program_id, schemas.StockIn(
                first=str(form.get("first", "")).strip(), count=count,
                label=str(form.get("label", "")).strip()[:200] or None))
    except RapportError as exc:
        if exc.status not in (404, 409, 422):
            raise
        return await _programs(db, principal, exc.status, stock_program=program_id,
                               stock_error=_problem(exc))
    return await _programs(db, principal, stock_program=program_id, stock_added=added.label)


PAGES = [till_page, record_purchase, record_return, member_page, programs_page, add_stock]
