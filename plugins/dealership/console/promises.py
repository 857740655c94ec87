"""The promise screens: what is due (overdue first, highlighted) with one-click kept /
broken and a renegotiate form, and the customer-page panel "what we promised"."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Contact, PanelQuery, Principal, RapportError, Screen, TenantHooks
from rapport_plugins.dealership import promises
from rapport_plugins.dealership.console.forms import (
    attempt,
    end_of_day,
    errors_of,
    go,
    parse,
    posted,
)
from rapport_plugins.dealership.members import names
from rapport_plugins.dealership.models import Order, Promise
from rapport_plugins.dealership.schemas import RenegotiateIn, ResolveIn

BASE = "/apps/dealership"


def _back(form: dict[str, Any]) -> str:
    target = str(form.get("back") or "")
    # Only our own pages: never an open redirect.
    return target if target.startswith(BASE + "/") and "//" not in target[1:] else (
        BASE + "/promises")


async def _due_page(db: AsyncSession, principal: Principal, *, status: int = 200,
                    failed: str | None = None, errors: dict[str, str] | None = None) -> Screen:
    now = datetime.now(UTC)
    found = await promises.due(db, principal, now + timedelta(days=14))
    contacts = {p.contact_id for p in found}
    who: dict[uuid.UUID, str] = {}
    if contacts:
        rows = await db.execute(select(Contact.id, Contact.display_name).where(
            Contact.tenant_id == principal.tenant_id, Contact.id.in_(contacts)))
        who = {i: n or "—" for i, n in rows}
    sellers = await names(db, principal.tenant_id, {p.promised_by for p in found})
    return Screen("dealership/promises.html", "Promises due", {
        "items": found, "now": now, "who": who, "sellers": sellers,
        "overdue": sum(1 for p in found if p.due_at < now), "failed": failed,
        "errors": errors or {}}, status=status)


@get("/promises")
async def due_list(principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession]) -> Screen:
    return await _due_page(db, principal)


@post("/promises/{promise_id:uuid}/resolve", status_code=200)
async def resolve(request: Request, promise_id: FromPath[uuid.UUID],
                  principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                  hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)
    outcome = form.get("outcome")
    evidence = form.get("evidence") or f"marked {outcome} by {principal.full_name or 'staff'}"
    try:
        data = parse({"outcome": outcome, "evidence": evidence}, ResolveIn)
        await attempt(db, lambda: promises.resolve(db, principal, hooks, promise_id, data))
    except RapportError as exc:
        if exc.status not in (403, 404, 409, 422):
            raise
        return await _due_page(db, principal, status=exc.status, failed=str(promise_id),
                               errors=errors_of(exc))
    return go(request, _back(form))


@post("/promises/{promise_id:uuid}/renegotiate", status_code=200)
async def renegotiate(request: Request, promise_id: FromPath[uuid.UUID],
                      principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                      hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)
    try:
        probability = str(form.get("probability") or "")
        data = parse({"due_at": end_of_day(str(form.get("due_on", ""))),
                      "probability": float(probability) / 100 if probability.replace(
                          ".", "", 1).isdigit() else probability,
                      "evidence": form.get("evidence")}, RenegotiateIn)
        await attempt(db, lambda: promises.renegotiate(db, principal, hooks, promise_id, data))
    except RapportError as exc:
        if exc.status not in (403, 404, 409, 422):
            raise
        return await _due_page(db, principal, status=exc.status, failed=str(promise_id),
                               errors=errors_of(exc))
    return go(request, _back(form))


async def panel(query: PanelQuery) -> dict[str, Any] | None:
    """What we promised this person (open first) and their orders, and a link to record a
    promise to them."""
    made = list((await query.session.execute(
        select(Promise).where(Promise.tenant_id == query.tenant_id,
                              Promise.contact_id == query.contact_id)
        .order_by((Promise.status == "open").desc(), Promise.due_at.desc()).limit(20)
    )).scalars())
    bought = list((await query.session.execute(
        select(Order).where(Order.tenant_id == query.tenant_id,
                            Order.contact_id == query.contact_id)
        .order_by(Order.id.desc()).limit(10))).scalars())
    return {"promises": made, "orders": bought, "now": datetime.now(UTC),
            "contact_id": query.contact_id}


PAGES = [due_list, resolve, renegotiate]
