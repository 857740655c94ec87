"""``/billing``: the plan and usage page over ``rapport.core.billing.service`` (the API's
service, so permissions are the API's); its buttons go to Stripe Checkout and the portal."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.i18n import N_
from rapport.core.billing import service
from rapport.core.billing.schemas import CheckoutIn
from rapport.errors import RapportError
from rapport.hooks import PluginRegistry, Screen
from rapport.settings import Settings
from rapport.tenancy.principal import Principal

RETURNS = {"success": N_("Thank you: the subscription starts as soon as Stripe confirms the "
                         "payment."),
           "cancelled": N_("Checkout was cancelled; nothing was charged.")}


async def _screen(principal: Principal, db: AsyncSession, registry: PluginRegistry,
                  notice: str | None = None, error: str | None = None, status: int = 200
                  ) -> Screen:
    billing = await service.status(db, principal, registry)
    return Screen("billing_console/plan.html", "Plan and billing", {
        "billing": billing, "notice": notice, "error": error,
        "is_owner": principal.role == "owner"}, status=status)


@get("/billing")
async def billing_page(
    principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    registry: NamedDependency[PluginRegistry],
    checkout: Annotated[str | None, QueryParameter(max_length=20)] = None,
) -> Screen:
    return await _screen(principal, db, registry, notice=RETURNS.get(checkout or ""))


@post("/billing/checkout", status_code=303)
async def start_checkout(
    request: Request, principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession], registry: NamedDependency[PluginRegistry],
    settings: NamedDependency[Settings],
) -> Any:
    plan = str((await request.form()).get("plan", ""))
    try:
        async with db.begin_nested():
            session = await service.checkout(db, principal, registry, CheckoutIn(plan=plan),
                                             settings.base_url)
    except RapportError as exc:
        if exc.status not in (409, 422, 502):
            raise
        return await _screen(principal, db, registry, error=exc.detail, status=exc.status)
    return Redirect(session.url, status_code=303)


@post("/billing/portal", status_code=303)
async def open_portal(
    principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    registry: NamedDependency[PluginRegistry], settings: NamedDependency[Settings],
) -> Any:
    try:
        async with db.begin_nested():
            session = await service.portal(db, principal, settings.base_url)
    except RapportError as exc:
        if exc.status not in (409, 502):
            raise
        return await _screen(principal, db, registry, error=exc.detail, status=exc.status)
    return Redirect(session.url, status_code=303)


PAGES = [billing_page, start_checkout, open_portal]
