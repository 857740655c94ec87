"""A promise to a customer that is not about an order — a call back, a service, a price, a
"we owe" — recorded from the customer's panel or the promises due: who to, what, when, how
likely, which department fulfils it and at what cost to whom (``promises.make``, the API's
own checks; a refusal comes back beside the field with what was typed)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Contact, Principal, RapportError, Screen, TenantHooks
from rapport_plugins.dealership import promises
from rapport_plugins.dealership.catalogue import settings_of
from rapport_plugins.dealership.console.deal import _money
from rapport_plugins.dealership.console.forms import (
    attempt,
    end_of_day,
    errors_of,
    go,
    parse,
    posted,
)
from rapport_plugins.dealership.schemas import PromiseIn

BASE = "/apps/dealership"


async def _form(db: AsyncSession, principal: Principal, *, status: int = 200,
                values: dict[str, Any] | None = None,
                errors: dict[str, str] | None = None) -> Screen:
    contacts = (await db.execute(select(Contact.id, Contact.display_name).where(
        Contact.tenant_id == principal.tenant_id).order_by(Contact.id.desc()).limit(200))).all()
    values = values or {}
    chosen = str(values.get("contact_id") or "")
    listed = [(str(i), n or "—") for i, n in contacts]
    if chosen and chosen not in {i for i, _ in listed}:
        try:
            extra = (await db.execute(select(Contact.id, Contact.display_name).where(
                Contact.tenant_id == principal.tenant_id, Contact.id == uuid.UUID(chosen))
            )).first()
        except ValueError:
            extra = None
        if extra is not None:
            listed.insert(0, (str(extra[0]), extra[1] or "—"))
    settings = await settings_of(db, principal)
    return Screen("dealership/pledge.html", "Record a promise", {
        "contacts": listed, "values": values, "errors": errors or {},
        "currency": settings.currency}, status=status)


@get("/promises/new")
async def new_promise(request: Request, principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession]) -> Screen:
    return await _form(db, principal,
                       values={"contact_id": request.query_params.get("contact_id") or ""})


@post("/promises", status_code=200)
async def make(request: Request, principal: NamedDependency[Principal],
               db: NamedDependency[AsyncSession],
               hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)
    try:
        probability = str(form.get("probability") or "")
        cost = _money(form, "cost", "cost_minor")
        data = parse({
            **{k: form.get(k) for k in ("kind", "text", "contact_id", "fulfilled_by",
                                        "cost_borne_by")},
            "due_at": end_of_day(str(form.get("due_on", ""))),
            "probability": (float(probability) / 100 if probability.replace(".", "", 1)
                            .isdigit() else probability),
            "cost_minor": cost, "cost_currency": form.get("currency") if cost else None},
            PromiseIn)
        await attempt(db, lambda: promises.make(db, principal, hooks, data))
    except RapportError as exc:
        if exc.status not in (403, 422):
            raise
        errors = {("due_on" if k == "due_at" else k): m for k, m in errors_of(exc).items()}
        return await _form(db, principal, status=exc.status, values=form, errors=errors)
    return go(request, f"/contacts/{data.contact_id}")


PAGES = [new_promise, make]
