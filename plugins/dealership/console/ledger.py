"""The whole promise ledger, filtered as the API's ``GET /promises`` is: by status, by who
promised (managers; a branch manager's people), overdue or not — newest first, a page at a
time, each open one with its one-click decisions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from litestar import Request, get
from litestar.di import NamedDependency
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Contact, Principal, Screen
from rapport_plugins.dealership import promises, staff
from rapport_plugins.dealership.members import names
from rapport_plugins.dealership.roles import is_manager

STATUSES = ("open", "kept", "broken", "renegotiated", "cancelled")


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


@get("/promises/all")
async def ledger(request: Request, principal: NamedDependency[Principal],
                 db: NamedDependency[AsyncSession]) -> Screen:
    query = request.query_params
    status = query.get("status") if query.get("status") in STATUSES else None
    member = _uuid(query.get("member_id"))
    overdue = True if query.get("overdue") == "on" else None
    page = await promises.search(db, principal, status=status, due_before=None,
                                 member_id=member, contact_id=None, order_id=None,
                                 overdue=overdue, cursor=query.get("cursor") or None,
                                 limit=50)
    contacts = {p.contact_id for p in page.items}
    who: dict[uuid.UUID, str] = {}
    if contacts:
        rows = await db.execute(select(Contact.id, Contact.display_name).where(
            Contact.tenant_id == principal.tenant_id, Contact.id.in_(contacts)))
        who = {i: n or "—" for i, n in rows}
    people = ([(str(p.member_id), p.name) for p in await staff.roster(db, principal)]
              if is_manager(principal) else [])
    return Screen("dealership/ledger.html", "All promises", {
        "items": page.items, "next_cursor": page.next_cursor, "now": datetime.now(UTC),
        "who": who, "sellers": await names(db, principal.tenant_id,
                                           {p.promised_by for p in page.items}),
        "people": people, "statuses": STATUSES,
        "filters": {"status": status or "", "member_id": str(member) if member else "",
                    "overdue": overdue is True}})


PAGES = [ledger]
