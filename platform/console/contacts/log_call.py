"""Log a call (or a meeting, visit, message, e-mail, note) from the customer page: the form
is checked by the API's ``InteractionIn`` and written by ``interactions.service
.log_interaction`` — the service of ``POST /api/v1/interactions`` — so the rules, the
writer role, the timeline entry and the events are the API's. The time is the member's
time zone's wall time (``datetime-local`` has no offset); empty means now."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.chrome import chrome_of
from rapport.console.forms import field_errors, parse
from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.core.contacts import service as contacts
from rapport.core.interactions import service as interactions
from rapport.core.interactions.schemas import InteractionIn
from rapport.errors import RapportError
from rapport.hooks import Screen, TenantHooks
from rapport.tenancy.principal import Principal

# What a person logs by hand (purchases, ad impressions and surveys arrive from systems).
KINDS = (("call", N_("Call")), ("meeting", N_("Meeting")), ("visit", N_("Visit")),
         ("message", N_("Message")), ("email", N_("E-mail")), ("note", N_("Note")))
DIRECTIONS = (("", N_("— not said —")), ("inbound", N_("They contacted us")),
              ("outbound", N_("We contacted them")))
FIELDS = ("kind", "direction", "subject", "notes", "outcome", "occurred_at")
_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")


def _values(request: Request, form: Any, contact_id: uuid.UUID) -> dict[str, Any]:
    values: dict[str, Any] = {"contact_id": str(contact_id)}
    for name in FIELDS:
        value = str(form.get(name, "")).strip()
        if value:
            values[name] = value
    when = values.get("occurred_at")
    if isinstance(when, str) and _LOCAL.match(when):
        zone = chrome_of(request).lang.tz
        values["occurred_at"] = datetime.fromisoformat(when).replace(tzinfo=zone).isoformat()
    values.setdefault("occurred_at", datetime.now(UTC).isoformat())
    return values


async def _form(db: AsyncSession, principal: Principal, contact_id: uuid.UUID,
                values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Screen:
    record = await contacts.get_record(db, principal, contact_id)  # 404 outside the tenant
    name = record.contact.display_name
    return Screen("console/contacts/log.html", N_("Log a call or interaction"), {
        "contact_id": contact_id, "name": name, "kinds": KINDS, "directions": DIRECTIONS,
        "values": values, "errors": errors,
    }, status=status)


@get("/contacts/{contact_id:uuid}/log")
async def log_form(
    contact_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
) -> Screen:
    """The form alone (the customer page carries the same one)."""
    principal.require_writer()
    return await _form(db, principal, contact_id, {"kind": "call"}, {})


@post("/contacts/{contact_id:uuid}/log", status_code=200)
async def log_interaction(
    request: Request, contact_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession], hooks: NamedDependency[TenantHooks],
) -> Any:
    principal.require_writer()
    await contacts.get_record(db, principal, contact_id)  # 404 outside the tenant
    form = await request.form()
    typed = {name: str(form.get(name, "")).strip() for name in FIELDS}
    try:
        data = parse(_values(request, form, contact_id), InteractionIn)
        async with db.begin_nested():
            await interactions.log_interaction(db, principal, data.values(), hooks)
    except RapportError as exc:
        if exc.status in (403, 404):
            raise
        return await _form(db, principal, contact_id, typed, field_errors(exc),
                           status=exc.status)
    return redirect(request, f"/contacts/{contact_id}?logged={typed['kind'] or 'call'}"
                             "#h-timeline")


PAGES = [log_form, log_interaction]
