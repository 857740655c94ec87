"""The patient chart in the console: a panel on the customer page and a page of its own,
for the clinic's own patient or another clinic's shared one. Every read goes through the
chart service, so it is audited exactly as ``GET …/record`` and ``GET /shared/…`` are."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import PanelQuery, Principal, RapportError, Screen
from rapport_plugins.medical import chart, consents
from rapport_plugins.medical.console.forms import end_of_day, errors_of, go, parse, posted
from rapport_plugins.medical.models import Patient
from rapport_plugins.medical.roles import (
    ALLERGIES,
    APPOINTMENTS,
    CONDITIONS,
    DECIDERS,
    DEMOGRAPHICS,
    ENCOUNTERS,
    MEDICATIONS,
    SECTIONS,
    access_of,
)
from rapport_plugins.medical.schemas import ConsentIn

# What the customer page shows of the chart: who the patient is, what they are allergic
# to, what they have, what they take, their visits (a receptionist: appointments). Only
# these are read, and logged.
PANEL = (DEMOGRAPHICS, ALLERGIES, CONDITIONS, MEDICATIONS, ENCOUNTERS)
SHOWN = 3


def _wanted(principal: Principal, sections: tuple[str, ...]) -> list[str]:
    allowed = access_of(principal).read
    return [s for s in sections
            if s in allowed or (s == ENCOUNTERS and APPOINTMENTS in allowed)]


async def panel(query: PanelQuery) -> dict[str, Any] | None:
    """The chart's summary for a customer who is a patient here; nothing otherwise. Finding
    the profile reads only its id; the sections shown are read (and logged) by the chart."""
    patient_id = await query.session.scalar(
        select(Patient.id).where(Patient.tenant_id == query.tenant_id,
                                 Patient.contact_id == query.contact_id))
    wanted = _wanted(query.principal, PANEL)
    if patient_id is None or not wanted:
        return None
    found = await chart.read_own(query.session, query.principal, patient_id, wanted)
    return {"patient_id": patient_id, "sections": found.sections, "shown": SHOWN}


async def _chart_screen(db: AsyncSession, principal: Principal, found: chart.Chart,
                        shared: bool, status: int = 200, **extra: Any) -> Screen:
    person = (found.sections.get(DEMOGRAPHICS) or [{}])[0]
    name = " ".join(p for p in (person.get("given_name"), person.get("family_name")) if p)
    given: list[Any] = []
    if not shared and principal.role in DECIDERS:
        given = await consents.for_patient(db, principal, found.patient_id)
    context = {
        "chart": found, "person": person, "shared": shared, "consents": given,
        "can_decide": principal.role in DECIDERS, "all_sections": SECTIONS,
        "values": {}, "errors": {}, "notice": None, **extra,
    }
    return Screen("medical/chart.html", name or "Patient chart", context, status=status)


@get("/patients/{patient_id:uuid}")
async def chart_page(
    request: Request, patient_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
) -> Screen:
    found = await chart.read_own(db, principal, patient_id)  # audited; 404 if not ours
    notice = "shared" if request.query_params.get("shared") else None
    return await _chart_screen(db, principal, found, False, notice=notice)


@get("/shared/{owner_id:uuid}/patients/{patient_id:uuid}")
async def shared_chart_page(
    request: Request, owner_id: FromPath[uuid.UUID], patient_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
) -> Screen:
    """Another clinic's patient: the sections its grants cover now (404 without one);
    ``?opened=1`` after a break-glass opening says so."""
    found = await chart.read_shared(db, principal, owner_id, patient_id)
    notice = "opened" if request.query_params.get("opened") else None
    return await _chart_screen(db, principal, found, True, notice=notice)


@post("/patients/{patient_id:uuid}/share", status_code=200)
async def share(
    request: Request, patient_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
) -> Screen | Response[Any]:
    """Record the patient's consent to share with another clinic (``POST …/consents``)."""
    form = await posted(request)
    values = {**form, "expires_at": end_of_day(str(form.get("expires_at", "")))}
    try:
        data = parse(values, ConsentIn)
        await consents.grant(
            db, principal, patient_id, sections=list(data.sections), purpose=data.purpose,
            evidence=data.evidence, expires_at=data.expires_at, organization=data.organization)
    except RapportError as exc:
        if exc.status not in (403, 404, 409, 422):
            raise
        found = await chart.read_own(db, principal, patient_id)
        return await _chart_screen(db, principal, found, False, status=exc.status,
                                   values=form, errors=errors_of(exc))
    return go(request, f"/apps/medical/patients/{patient_id}?shared=1")


PAGES = [chart_page, shared_chart_page, share]
