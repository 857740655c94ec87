"""The loyalty manager's product → category map (``PUT /api/v1/retail/products``): which
category each SKU (a purchase line's ``product``) belongs to, so category multipliers and
the never-earning ``gift_card`` category apply. A search over SKUs and categories, and one
form that sets a SKU's category (a SKU already mapped moves to the new one) through the
API's struct and service, refused beside the field with what was typed kept."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, RapportError, Screen
from rapport_plugins.retail import programs, schemas
from rapport_plugins.retail.console.manage import _attempt, _errors, _go, _parse, _posted
from rapport_plugins.retail.console.words import N_
from rapport_plugins.retail.roles import require_manager

Db = NamedDependency[AsyncSession]
Who = NamedDependency[Principal]
FIELDS = ("sku", "category")
SHOWN = 200  # the search narrows a larger catalogue
TITLE = N_("Products and categories")


async def _screen(db: AsyncSession, principal: Principal, search: str | None, *,
                  status: int = 200, values: dict[str, Any] | None = None,
                  errors: dict[str, str] | None = None) -> Screen:
    found = await programs.list_products(db, principal, search, SHOWN + 1)
    return Screen("retail/products.html", TITLE,
                  {"products": found[:SHOWN], "more": len(found) > SHOWN, "q": search or "",
                   "values": values or {}, "errors": errors or {}},
                  status=status)


@get("/products")
async def products_page(principal: Who, db: Db,
                        q: Annotated[str | None, QueryParameter(max_length=200)] = None
                        ) -> Screen:
    require_manager(principal)
    return await _screen(db, principal, (q or "").strip() or None)


@post("/products", status_code=200)
async def set_category(request: Request, principal: Who, db: Db) -> Screen | Response[Any]:
    require_manager(principal)
    values = await _posted(request, FIELDS)
    try:
        await _attempt(db, lambda: programs.set_product(
            db, principal, **_struct(values)))
    except RapportError as exc:
        if exc.status != 422:
            raise
        return await _screen(db, principal, None, status=exc.status, values=values,
                             errors=_errors(exc))
    return _go(request, f"/apps/retail/products?q={quote(values['sku'])}")


def _struct(values: dict[str, Any]) -> dict[str, str]:
    data = _parse(values, schemas.ProductIn)
    return {"sku": data.sku, "category": data.category}


PAGES = [products_page, set_category]
