"""The audit log: newest first, filtered by record type, "Show more" as an htmx swap —
``rapport.core.audit.service.history``, the API's query and its owners-and-admins rule."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.admin.common import GUARDS, TABS, is_htmx
from rapport.core.audit import service
from rapport.core.audit.models import AuditEvent
from rapport.core.pagination import MAX_CURSOR
from rapport.hooks import Fragment, Screen
from rapport.tenancy.api_clients import ApiClient
from rapport.tenancy.models import Tenant, User
from rapport.tenancy.principal import Principal

PATH = "/settings/audit"
PAGE = 50
# The filter box may be left empty.
ANY_TYPE = r"^(|" + service.RECORD_TYPE_PATTERN.strip("^$") + ")$"


async def _names(db: AsyncSession, entries: list[AuditEvent]) -> tuple[dict, dict, dict]:
    """Who acted (people, API clients) and from where (organizations, for entries naming
    another)."""
    people = {e.actor_user_id for e in entries if e.actor_user_id}
    machines = {e.actor_client_id for e in entries if e.actor_client_id}
    clients = dict((await db.execute(select(ApiClient.id, ApiClient.name).where(
        ApiClient.id.in_(machines)))).all()) if machines else {}
    orgs = {e.actor_tenant_id for e in entries} | {e.tenant_id for e in entries}
    users = dict((await db.execute(select(User.id, User.full_name)
                                   .where(User.id.in_(people)))).all()) if people else {}
    tenants = dict((await db.execute(select(Tenant.id, Tenant.name)
                                     .where(Tenant.id.in_(orgs)))).all())
    return users, tenants, clients


@get(PATH, guards=GUARDS)
async def audit_page(
    request: Request, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    record_type: Annotated[str | None, QueryParameter(
        pattern=ANY_TYPE, max_length=100)] = None,
    cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
) -> Screen | Fragment:
    record_type = record_type or None
    page = await service.history(db, principal, record_type=record_type, cursor=cursor,
                                 limit=PAGE)
    users, tenants, clients = await _names(db, page.items)
    context = {"tabs": TABS, "here": PATH, "entries": page.items, "users": users,
               "tenants": tenants, "clients": clients, "next_cursor": page.next_cursor,
               "record_type": record_type or ""}
    if cursor is not None and is_htmx(request):
        return Fragment("console/admin/audit_rows.html", context)
    return Screen("console/admin/audit.html", "Audit log", context)


PAGES = [audit_page]
