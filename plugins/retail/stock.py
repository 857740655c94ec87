"""Pre-printed plastic card stock, registered by range before the cards are handed out.

A range is ``count`` consecutive card bodies from the first card's (each printed number is
its body plus its own Luhn digit), so registering 10,000 cards writes one row. The first
number is Luhn-checked; ranges of one program never overlap (checked under a lock on the
program row). Once a program has stock, a plastic card is issued only with a number from
it — a mistyped or foreign number is refused before anyone gets the card.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, audit, conflict, invalid
from rapport_plugins.retail import cardnumbers, schemas
from rapport_plugins.retail.models import Card, CardStock, Program
from rapport_plugins.retail.programs import get_program
from rapport_plugins.retail.roles import require_manager


def _number(stock: CardStock, body: int) -> str:
    text = str(body).zfill(stock.length - 1)
    return text + cardnumbers.check_digit(text)


def _bounds(stock: CardStock) -> tuple[str, str]:
    """The lowest and highest card number of the range as strings: the cards' unique index
    on ``(tenant_id, number)`` answers "how many are issued" by a range scan."""
    last = stock.first_body + stock.count - 1
    return (str(stock.first_body).zfill(stock.length - 1) + "0",
            str(last).zfill(stock.length - 1) + "9")


async def stock_out(db: AsyncSession, stock: CardStock) -> schemas.StockOut:
    low, high = _bounds(stock)
    issued = await db.scalar(select(func.count()).select_from(Card).where(
        Card.tenant_id == stock.tenant_id, Card.number >= low, Card.number <= high,
        func.length(Card.number) == stock.length))
    return schemas.StockOut(
        id=stock.id, program_id=stock.program_id, label=stock.label,
        first=_number(stock, stock.first_body),
        last=_number(stock, stock.first_body + stock.count - 1), count=stock.count,
        issued=int(issued or 0), created_at=stock.created_at)


async def register(db: AsyncSession, principal: Principal, program_id: uuid.UUID,
                   data: schemas.StockIn) -> CardStock:
    require_manager(principal)
    program = await get_program(db, principal, program_id, lock=True)
    first = cardnumbers.normal("first", data.first)
    body, length = int(first[:-1]), len(first)
    if len(str(body + data.count - 1)) > length - 1:
        raise invalid("count", f"the range runs past {length}-digit numbers")
    clash = await db.scalar(select(CardStock.label).where(
        CardStock.tenant_id == principal.tenant_id, CardStock.program_id == program.id,
        CardStock.length == length, CardStock.first_body <= body + data.count - 1,
        CardStock.first_body + CardStock.count - 1 >= body).limit(1))
    if clash is not None:
        raise conflict(f"first: the range overlaps the registered stock {clash!r}",
                       field="first")
    stock = CardStock(tenant_id=principal.tenant_id, program_id=program.id,
                      label=data.label or f"{first} +{data.count}", first_body=body,
                      count=data.count, length=length)
    db.add(stock)
    await db.flush()
    await db.refresh(stock, ["created_at"])
    await audit.record(db, principal, audit.CREATE, "retail.card_stock", stock.id,
                       audit.diff({}, {"program_id": str(program.id), "first": first,
                                       "count": data.count, "label": stock.label}))
    return stock


async def list_stock(db: AsyncSession, principal: Principal, program_id: uuid.UUID
                     ) -> list[CardStock]:
    require_manager(principal)
    await get_program(db, principal, program_id)
    rows = await db.execute(select(CardStock).where(
        CardStock.tenant_id == principal.tenant_id, CardStock.program_id == program_id)
        .order_by(CardStock.created_at, CardStock.id))
    return list(rows.scalars())


async def require_in_stock(db: AsyncSession, program: Program, number: str,
                           field: str) -> None:
    """422 naming ``field`` when the program has registered stock and ``number`` (already
    Luhn-checked) is not in it; programs without stock take any valid number."""
    body, length = int(number[:-1]), len(number)
    ranges = select(CardStock.id).where(CardStock.tenant_id == program.tenant_id,
                                        CardStock.program_id == program.id)
    if await db.scalar(ranges.limit(1)) is None:
        return
    covered = await db.scalar(ranges.where(
        CardStock.length == length, CardStock.first_body <= body,
        CardStock.first_body + CardStock.count - 1 >= body).limit(1))
    if covered is None:
        raise invalid(field, "not a number from this program's registered card stock")
