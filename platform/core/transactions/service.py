"""Recording purchases and orders, exactly once per sender id.

``record_transaction`` inserts with ``ON CONFLICT DO NOTHING`` on the unique key
(tenant_id, external_id): of two concurrent requests with one id, the second waits for
the first, then finds its row. A replay with the same values answers the stored
transaction (``created`` False) and emits nothing; different values answer 409 naming
the fields that differ. Every new transaction emits ``transaction.recorded``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit
from rapport.core.contacts.models import Contact
from rapport.core.events import emit
from rapport.core.transactions import lines, money
from rapport.core.transactions.models import Transaction, TransactionLine
from rapport.db.base import new_id
from rapport.errors import conflict, invalid, not_found
from rapport.hooks import TRANSACTION_RECORDED, TenantHooks
from rapport.tenancy.principal import Principal

RECORD_TYPE = "transaction"
CHANNEL = re.compile(r"[a-z][a-z0-9_]{0,39}")
# The values a replay must repeat, in the order a 409 names them.
COMPARED = ("kind", "contact_id", "amount", "currency", "occurred_at", "channel",
            "point_of_sale", "lines")


@dataclass(frozen=True)
class Recorded:
    transaction: Transaction
    created: bool


@dataclass(frozen=True)
class Prepared:
    """A validated transaction, ready to insert or to compare with a stored one."""

    values: dict[str, Any]
    lines: list[money.Line]


def payload(txn: Transaction) -> dict[str, Any]:
    """What the audit log records and ``transaction.recorded`` carries (JSON-ready)."""
    return audit.jsonable({
        "external_id": txn.external_id,
        "kind": txn.kind,
        "contact_id": txn.contact_id,
        "amount": money.as_text(txn.amount, txn.currency),
        "currency": txn.currency,
        "occurred_at": txn.occurred_at,
        "channel": txn.channel,
        "point_of_sale": txn.point_of_sale,
        "lines": lines.audited(txn.lines, txn.currency),
    })


async def _require_contact(
    session: AsyncSession, actor: Principal, contact_id: uuid.UUID | None
) -> None:
    if contact_id is None:
        return
    found = await session.scalar(
        select(Contact.id).where(Contact.tenant_id == actor.tenant_id, Contact.id == contact_id,
                                 Contact.deleted_at.is_(None))
    )
    if found is None:
        raise invalid("contact_id", "no such contact")


def _text(field: str, value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise invalid(field, "must not be blank")
    return value


def prepare(data: Mapping[str, Any]) -> Prepared:
    """Validate and price a transaction body; the amount is the lines' sum when they exist."""
    currency = money.currency_code("currency", data["currency"])
    channel = data["channel"]
    if not CHANNEL.fullmatch(channel):
        raise invalid("channel", "lowercase letters, digits and '_', starting with a letter")
    priced = lines.price("lines", data.get("lines") or [], currency)
    given = data.get("amount")
    if priced:
        amount = money.total("lines", priced)
        if given is not None and given != amount:
            shown = money.as_text(amount, currency)
            raise invalid("amount", f"is the sum of the lines ({shown}); leave it out")
    elif given is None:
        raise invalid("amount", "required when there are no lines")
    else:
        amount = money.amount("amount", given, currency)
    values = {
        "external_id": _text("external_id", data.get("external_id")),
        "kind": data.get("kind", "purchase"),
        "contact_id": data.get("contact_id"),
        "amount": amount,
        "currency": currency,
        "occurred_at": data["occurred_at"],
        "channel": channel,
        "point_of_sale": _text("point_of_sale", data.get("point_of_sale")),
    }
    return Prepared(values, priced)


def differences(stored: Transaction, new: Prepared) -> list[str]:
    """The fields in which a replayed body disagrees with the stored transaction."""
    found = [
        key for key in COMPARED[:-1] if getattr(stored, key) != new.values[key]
    ]
    old_lines = [(x.product, x.quantity, x.unit_price, x.category) for x in stored.lines]
    if old_lines != [(x.product, x.quantity, x.unit_price, x.category) for x in new.lines]:
        found.append("lines")
    return found


async def get_transaction(
    session: AsyncSession, actor: Principal, transaction_id: uuid.UUID
) -> Transaction:
    txn = (
        await session.execute(
            select(Transaction).where(
                Transaction.tenant_id == actor.tenant_id, Transaction.id == transaction_id
            )
        )
    ).scalar_one_or_none()
    if txn is None:
        raise not_found("Transaction")
    return txn


def _by_external_id(actor: Principal, external_id: str) -> Select[Transaction]:
    return select(Transaction).where(Transaction.tenant_id == actor.tenant_id,
                                     Transaction.external_id == external_id)


async def find_transaction(
    session: AsyncSession, actor: Principal, external_id: str
) -> Transaction | None:
    """The acting principal's tenant's transaction sent with ``external_id`` (its lines
    loaded), or None: how a plugin finds a purchase the shop names by its own id."""
    return (await session.execute(_by_external_id(actor, external_id))).scalar_one_or_none()


async def _stored(session: AsyncSession, actor: Principal, external_id: str) -> Transaction:
    # A fresh read: the row was committed by a concurrent request after this one began.
    return (
        await session.execute(
            _by_external_id(actor, external_id).execution_options(populate_existing=True)
        )
    ).scalar_one()


async def _insert(
    session: AsyncSession, actor: Principal, prepared: Prepared
) -> uuid.UUID | None:
    """Insert the header; None when a transaction with its external id is already stored."""
    txn_id = new_id()
    statement = pg_insert(Transaction).values(
        tenant_id=actor.tenant_id, id=txn_id, recorded_by=actor.user_id, **prepared.values
    )
    if prepared.values["external_id"] is not None:
        statement = statement.on_conflict_do_nothing(
            index_elements=[Transaction.tenant_id, Transaction.external_id],
            index_where=Transaction.external_id.is_not(None),
        )
    inserted = await session.scalar(statement.returning(Transaction.id))
    if inserted is None:
        return None
    if prepared.lines:
        await session.execute(
            insert(TransactionLine),
            [
                {
                    "tenant_id": actor.tenant_id,
                    "id": new_id(),
                    "transaction_id": txn_id,
                    "position": i,
                    "product": line.product,
                    "category": line.category,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "amount": line.amount,
                }
                for i, line in enumerate(prepared.lines)
            ],
        )
    return txn_id


async def record_transaction(
    session: AsyncSession,
    actor: Principal,
    data: Mapping[str, Any],
    hooks: TenantHooks,
) -> Recorded:
    """Store a purchase or order once; see the module docstring for replays."""
    actor.require_writer()
    prepared = prepare(data)
    await _require_contact(session, actor, prepared.values["contact_id"])
    txn_id = await _insert(session, actor, prepared)
    if txn_id is None:
        stored = await _stored(session, actor, prepared.values["external_id"])
        differing = differences(stored, prepared)
        if differing:
            raise conflict(
                f"external_id {stored.external_id!r} was already recorded with other values: "
                + ", ".join(differing),
                differing_fields=differing,
                transaction_id=str(stored.id),
            )
        return Recorded(stored, created=False)
    txn = await get_transaction(session, actor, txn_id)
    recorded = payload(txn)
    await audit.record(session, actor, audit.CREATE, RECORD_TYPE, txn.id,
                       audit.diff({}, recorded))
    await emit(session, actor, hooks, TRANSACTION_RECORDED, RECORD_TYPE, txn.id, recorded)
    return Recorded(txn, created=True)

