"""Break-glass in the console: a clinician opens another clinic's patient in an emergency
(the clinic, the MRN, the date of birth and the reason) and lands on the chart; the owning
clinic's deciders see every opening of their patients and may revoke one still open; both
sides list them. Through ``break_glass.open_record`` / ``openings`` / ``revoke`` — the
services behind ``/api/v1/medical/break-glass`` and the kernel's grant revocation."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, RapportError, Screen, load_settings
from rapport_plugins.medical import break_glass
from rapport_plugins.medical.console.forms import errors_of, go, parse, posted
from rapport_plugins.medical.roles import CLINICIAN
from rapport_plugins.medical.schemas import BreakGlassIn
from rapport_plugins.medical.settings import MedicalSettings

GLASS = "/apps/medical/break-glass"
FIELD_RULES = {
    "organization": "Enter the clinic's short name (lower-case letters, digits, hyphens)",
    "mrn": "Enter the patient's medical record number",
    "birth_date": "Enter the date of birth",
    "reason": "State the reason in at least 10 characters",
    "minutes": "From 1 to 240 minutes",
}


async def _page(request: Request, db: AsyncSession, principal: Principal, *,
                status: int = 200, **extra: Any) -> Screen:
    incoming = await break_glass.openings(db, principal, "incoming", 50)  # 403 to non-deciders
    outgoing = await break_glass.openings(db, principal, "outgoing", 50)
    settings = await load_settings(db, principal.tenant_id, "medical", MedicalSettings)
    return Screen("medical/break_glass.html", "Break-glass", {
        "incoming": await break_glass.with_clinics(db, incoming),
        "outgoing": await break_glass.with_clinics(db, outgoing),
        "can_open": principal.role == CLINICIAN, "minutes": settings.break_glass_minutes,
        "revoked": bool(request.query_params.get("revoked")), "values": {}, "errors": {},
        "failed": None, **extra,
    }, status=status)


@get("/break-glass")
async def glass(request: Request, principal: NamedDependency[Principal],
                db: NamedDependency[AsyncSession]) -> Screen:
    return await _page(request, db, principal)


@post("/break-glass", status_code=200)
async def open_glass(request: Request, principal: NamedDependency[Principal],
                     db: NamedDependency[AsyncSession]) -> Screen | Response[Any]:
    """Open the record (clinicians): refused forms keep what was typed, the problem named
    beside its field; an opening lands on the other clinic's chart."""
    form = await posted(request)
    try:
        data = parse(form, BreakGlassIn)
    except RapportError as exc:
        # The struct's own words are a programmer's ("Expected `str` of length >= 10"):
        # the form names each field's rule in words its catalogs translate.
        errors = {e.field: FIELD_RULES.get(e.field, e.message) for e in exc.errors}
        return await _page(request, db, principal, status=422, values=form,
                           errors=errors or errors_of(exc))
    try:
        settings = await load_settings(db, principal.tenant_id, "medical", MedicalSettings)
        found = await break_glass.open_record(
            db, principal, organization=data.organization, mrn=data.mrn,
            birth_date=data.birth_date, reason=data.reason,
            minutes=break_glass.minutes_or_default(data.minutes, settings.break_glass_minutes))
    except RapportError as exc:
        if exc.status not in (403, 404, 409, 422):
            raise
        errors = errors_of(exc)
        if exc.status == 404:
            errors = {"form": "No patient with this MRN and date of birth at that clinic"}
        return await _page(request, db, principal, status=exc.status, values=form,
                           errors=errors)
    return go(request, f"/apps/medical/shared/{found.owner_tenant_id}/patients/"
                       f"{found.patient_id}?opened=1")


@post("/break-glass/{opening_id:uuid}/revoke", status_code=200)
async def revoke_glass(request: Request, opening_id: FromPath[uuid.UUID],
                       principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession]) -> Screen | Response[Any]:
    """The owning clinic ends an opening now (409 once it is revoked already)."""
    try:
        await break_glass.revoke(db, principal, opening_id)
    except RapportError as exc:
        if exc.status not in (403, 409):
            raise
        return await _page(request, db, principal, status=exc.status,
                           failed=(str(opening_id), exc.detail))
    return go(request, GLASS + "?revoked=1")


PAGES = [glass, open_glass, revoke_glass]
