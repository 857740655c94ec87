"""Sending an invitation from the console: on a survey's page (any contact chosen among the
recent ones) or from the panel on a customer's page (any active survey), through
``rapport.core.surveys.invitations.invite`` — the consent rules of the API, its refusals
shown with the reason."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, post
from litestar.di import NamedDependency
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.forms import field_errors
from rapport.console.i18n import N_
from rapport.console.pickers import contact_names, member_names
from rapport.core.communication.senders import default_senders
from rapport.core.surveys import invitations, surveys
from rapport.core.surveys.models import Survey
from rapport.errors import RapportError, invalid
from rapport.hooks import CustomerPanel, PanelQuery, Screen, TenantHooks
from rapport.settings import Settings
from rapport.tenancy.principal import Principal

CHANNELS = {"email": N_("E-mail"), "sms": N_("SMS"), "messenger": N_("Messenger")}


def _uuid(name: str, text: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(str(text))
    except ValueError:
        raise invalid(name, "Choose one") from None


async def panel(query: PanelQuery) -> dict[str, Any] | None:
    """The customer page's form: active surveys, members, channels (nothing to show when
    the organization has no active survey or the member may not write)."""
    if not query.principal.can_write:
        return None
    found = (await query.session.execute(select(Survey.id, Survey.name).where(
        Survey.tenant_id == query.tenant_id, Survey.active.is_(True))
        .order_by(Survey.name).limit(50))).all()
    if not found:
        return None
    return {"surveys": [(i, n) for i, n in found], "channels": CHANNELS,
            "members": await member_names(query.session, query.principal)}


@post("/surveys/invite", status_code=200)
async def send_invitation(request: Request, principal: NamedDependency[Principal],
                          db: NamedDependency[AsyncSession],
                          hooks: NamedDependency[TenantHooks],
                          settings: NamedDependency[Settings]) -> Screen:
    form = await request.form()
    values: dict[str, Any] = {"channel": form.get("channel") or "email",
                              "service_point": (form.get("service_point") or "").strip()
                              or None, "language": None, "interaction_id": None}
    survey_id = None
    try:
        async with db.begin_nested():
            survey_id = _uuid("survey_id", form.get("survey_id"))
            values["contact_id"] = _uuid("contact_id", form.get("contact_id"))
            values["employee_id"] = (_uuid("employee_id", form["employee_id"])
                                     if form.get("employee_id") else None)
            if values["channel"] not in CHANNELS:
                raise invalid("channel", "Choose one")
            survey = await surveys.get_survey(db, principal, survey_id)
            sent = await invitations.invite(db, principal, hooks, settings,
                                            default_senders(settings), survey, values)
            error = None
    except RapportError as exc:
        if exc.status == 403:
            raise
        sent, error = None, field_errors(exc)
    contact_id: uuid.UUID | None = values.get("contact_id")
    names = await contact_names(db, principal, [contact_id])
    return Screen("surveys_console/invited.html", N_("Survey invitation"), {
        "sent": sent.invitation if sent else None, "errors": error or {},
        "contact_id": contact_id, "survey_id": survey_id,
        "contact": names.get(contact_id) if contact_id else None,
        "channels": CHANNELS}, status=200 if sent else 422)


INVITE_PAGES = [send_invitation]
# Shown through the console's own declaration: the console asks only its own and enabled
# plugins' declarations for navigation and panels, not other kernel areas'.
PANEL = CustomerPanel("surveys", N_("Service survey"), "surveys_console/panel.html", panel,
                      order=60)
