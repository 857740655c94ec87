"""Settings → API clients: create one (its secret shown once, with a copy button), rotate
its secret, revoke it; scopes as check boxes grouped by area — the API's services
(``rapport.tenancy.api_clients``) and its scope catalogue, owners and admins only."""

from __future__ import annotations

import uuid
from itertools import groupby
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.admin.common import GUARDS, TABS
from rapport.console.forms import field_errors
from rapport.errors import RapportError, invalid
from rapport.hooks import Screen
from rapport.settings import Settings
from rapport.tenancy import api_clients
from rapport.tenancy.api_client_schemas import ApiClientOut
from rapport.tenancy.principal import Principal
from rapport.tenancy.scopes import catalogue

PATH = "/settings/api-clients"
BLANK: dict[str, Any] = {"name": "", "scopes": []}


async def _page(request: Request, db: AsyncSession, principal: Principal, *,
                values: dict[str, Any], errors: dict[str, str] | None = None,
                shown: tuple[ApiClientOut, str, str] | None = None,
                status: int = 200) -> Screen:
    found = catalogue(request.app).scopes
    areas = [(area, list(items)) for area, items in groupby(
        sorted(found, key=lambda s: (s.area, s.key)), key=lambda s: s.area)]
    clients = [ApiClientOut.of(c) for c in await api_clients.list_clients(db, principal.tenant_id)]
    return Screen("console/admin/api_clients.html", "API clients", {
        "tabs": TABS, "here": PATH, "clients": clients, "areas": areas, "values": values,
        "errors": errors or {}, "shown": shown}, status=status)


@get(PATH, guards=GUARDS)
async def api_clients_page(request: Request, principal: NamedDependency[Principal],
                           db: NamedDependency[AsyncSession]) -> Screen:
    return await _page(request, db, principal, values=dict(BLANK))


@post(PATH, guards=GUARDS, status_code=200)
async def create_api_client(request: Request, principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession],
                            settings: NamedDependency[Settings]) -> Screen:
    form = await request.form()
    name = str(form.get("name") or "").strip()[:200]
    chosen = [str(s) for s in form.getall("scopes", [])]
    values: dict[str, Any] = {"name": name, "scopes": chosen}
    try:
        async with db.begin_nested():
            if not name:
                raise invalid("name", "Give the client a name")
            granted = catalogue(request.app).check(chosen)
            client, secret = await api_clients.create_client(
                db, settings.secret_key, tenant_id=principal.tenant_id, name=name,
                scopes=granted, actor=principal)
    except RapportError as exc:
        if exc.status == 403:
            raise
        return await _page(request, db, principal, values=values, errors=field_errors(exc),
                           status=exc.status)
    # The secret is on this answer only (as the API's creation answer).
    return await _page(request, db, principal, values=dict(BLANK),
                       shown=(ApiClientOut.of(client), secret, "created"))


@post(PATH + "/{client_id:uuid}/rotate", guards=GUARDS, status_code=200)
async def rotate_api_client(request: Request, client_id: FromPath[uuid.UUID],
                            principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession],
                            settings: NamedDependency[Settings]) -> Screen:
    client, secret = await api_clients.rotate_secret(
        db, settings.secret_key, principal, principal.tenant_id, client_id)
    return await _page(request, db, principal, values=dict(BLANK),
                       shown=(ApiClientOut.of(client), secret, "rotated"))


@post(PATH + "/{client_id:uuid}/revoke", guards=GUARDS, status_code=200)
async def revoke_api_client(request: Request, client_id: FromPath[uuid.UUID],
                            principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession]) -> Screen:
    await api_clients.revoke_client(db, principal, principal.tenant_id, client_id)
    return await _page(request, db, principal, values=dict(BLANK))


PAGES = [api_clients_page, create_api_client, rotate_api_client, revoke_api_client]
