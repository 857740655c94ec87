"""Sharing between clinics in the console: the access-requests inbox (approve with the
patient's consent evidence, possibly fewer sections; deny), asking another clinic for a
patient, and the consents given and received (revoke; open a shared record). Everything
through the services behind ``/api/v1/medical/access-requests`` and ``/consents``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, SkipValidation
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, RapportError, Screen, Workflow
from rapport_plugins.medical import access, consents
from rapport_plugins.medical.console.forms import end_of_day, errors_of, go, parse, posted
from rapport_plugins.medical.roles import SECTIONS
from rapport_plugins.medical.schemas import AccessRequestIn, ApprovalIn

Definitions = SkipValidation[Mapping[str, Workflow]]
INBOX = "/apps/medical/requests"
SHARING = "/apps/medical/sharing"
DONE = ("approved", "denied", "filed", "revoked")


async def _inbox(request: Request, db: AsyncSession, principal: Principal, *,
                 status: int = 200, **extra: Any) -> Screen:
    items = await access.list_requests(db, principal, None, 50)
    done = next((k for k in DONE if request.query_params.get(k)), None)
    return Screen("medical/requests.html", "Access requests", {
        "incoming": [r for r in items if r["direction"] == "incoming"],
        "outgoing": [r for r in items if r["direction"] == "outgoing"],
        "all_sections": SECTIONS, "done": done, "values": {}, "errors": {},
        "failed": None, **extra,
    }, status=status)


@get("/requests")
async def inbox(request: Request, principal: NamedDependency[Principal],
                db: NamedDependency[AsyncSession]) -> Screen:
    return await _inbox(request, db, principal)


@post("/requests", status_code=200)
async def file_request(request: Request, principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession]) -> Screen | Response[Any]:
    """Ask another clinic for a patient by MRN and date of birth."""
    form = await posted(request)
    try:
        data = parse(form, AccessRequestIn)
        await access.file(db, principal, organization=data.organization, mrn=data.mrn,
                          birth_date=data.birth_date, sections=list(data.sections),
                          purpose=data.purpose, message=data.message)
    except RapportError as exc:
        if exc.status not in (403, 422):
            raise
        return await _inbox(request, db, principal, status=exc.status, values=form,
                            errors=errors_of(exc))
    return go(request, INBOX + "?filed=1")


@post("/requests/{request_id:uuid}/approve", status_code=200)
async def approve(request: Request, request_id: FromPath[uuid.UUID],
                  principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                  workflow_definitions: NamedDependency[Definitions]) -> Screen | Response[Any]:
    form = await posted(request)
    values = {**form, "expires_at": end_of_day(str(form.get("expires_at", "")))}
    try:
        data = parse(values, ApprovalIn)
        await access.decide(db, principal, workflow_definitions, request_id, "approve",
                            note=data.note, evidence=data.evidence, expires_at=data.expires_at,
                            sections=list(data.sections) if data.sections else None)
    except RapportError as exc:
        if exc.status not in (403, 409, 422):
            raise
        return await _inbox(request, db, principal, status=exc.status,
                            failed=(str(request_id), errors_of(exc), form))
    return go(request, INBOX + "?approved=1")


@post("/requests/{request_id:uuid}/deny", status_code=200)
async def deny(request: Request, request_id: FromPath[uuid.UUID],
               principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
               workflow_definitions: NamedDependency[Definitions]) -> Screen | Response[Any]:
    form = await posted(request)
    try:
        await access.decide(db, principal, workflow_definitions, request_id, "deny",
                            note=str(form.get("note") or "") or None)
    except RapportError as exc:
        if exc.status not in (403, 409, 422):
            raise
        return await _inbox(request, db, principal, status=exc.status,
                            failed=(str(request_id), errors_of(exc), form))
    return go(request, INBOX + "?denied=1")


@get("/sharing")
async def sharing(request: Request, principal: NamedDependency[Principal],
                  db: NamedDependency[AsyncSession]) -> Screen:
    return Screen("medical/sharing.html", "Sharing", {
        "given": await consents.listing(db, principal, "given"),
        "received": await consents.listing(db, principal, "received"),
        "revoked": bool(request.query_params.get("revoked")),
    })


@post("/consents/{consent_id:uuid}/revoke", status_code=200)
async def revoke(request: Request, consent_id: FromPath[uuid.UUID],
                 principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                 workflow_definitions: NamedDependency[Definitions]) -> Screen | Response[Any]:
    """End the consent now: the other clinic's next request sees nothing."""
    await access.revoke_consent(db, principal, workflow_definitions, consent_id)
    return go(request, SHARING + "?revoked=1")


PAGES = [inbox, file_request, approve, deny, sharing, revoke]

