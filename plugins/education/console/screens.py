"""The learner page (record + recommendations, credentials, licences) and the customer-page
panel (or, for registrars, the way to register the customer as a learner). Every read goes
through the same services as the API (the record read is audited the same way)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import PanelQuery, Principal, RapportError, Screen, Settings, TenantHooks
from rapport_plugins.education import links, record
from rapport_plugins.education.console.forms import friendly
from rapport_plugins.education.credentials import service
from rapport_plugins.education.models import Achievement, Course, Program
from rapport_plugins.education.roles import INSTRUCTOR, RECORDS
from rapport_plugins.education.routes.credentials import VC_JWT, base_of, imported_out
from rapport_plugins.education.schemas import RenewIn
from rapport_plugins.education.timeline import SUMMARY_SQL


async def panel(query: PanelQuery) -> dict[str, Any] | None:
    """One indexed lookup: is this customer a learner here, and how far have they come."""
    row = (await query.session.execute(SUMMARY_SQL, {"tenant": query.tenant_id,
                                                     "contact": query.contact_id})).first()
    if row is None:
        if query.principal.role not in RECORDS:
            return None
        return {"learner_id": None, "contact_id": query.contact_id}
    return {"learner_id": row[0], "student_number": row[1], "completed": row[2],
            "outcomes": row[3]}


async def learner_screen(request: Request, db: AsyncSession, principal: Principal,
                          learner_id: uuid.UUID, status: int = 200,
                          verification: dict[str, Any] | None = None,
                          licence_error: str | None = None, form: str | None = None,
                          values: dict[str, Any] | None = None,
                          errors: dict[str, str] | None = None) -> Screen:
    found = await record.lifelong_record(db, principal, learner_id)  # 404 if not ours
    pending = [imported_out(a) for a in (await db.execute(select(Achievement).where(
        Achievement.tenant_id == principal.tenant_id, Achievement.learner_id == learner_id,
        Achievement.imported.is_(True), Achievement.decision == "pending")
        .order_by(Achievement.created_at))).scalars()]
    issued = await service.issued_of(db, principal, learner_id)
    licences = await links.licences_of(db, principal, learner_id)
    programs = list((await db.execute(select(Program).where(
        Program.tenant_id == principal.tenant_id).order_by(Program.code))).scalars())
    courses = list((await db.execute(select(Course).where(
        Course.tenant_id == principal.tenant_id).order_by(Course.code))).scalars())
    chosen = request.query_params.get("program") or ""
    advice, error = None, None
    if chosen:
        try:
            advice = await record.recommend(db, principal, learner_id,
                                            program=uuid.UUID(chosen))
        except (ValueError, RapportError):
            error, status = "Choose one of the programmes", 422
    return Screen("education/learner.html", found.learner.name or "Learner",
                  {"record": found, "programs": programs, "chosen": chosen, "advice": advice,
                   "error": error, "pending": pending, "issued": issued,
                   "verification": verification, "licences": licences,
                   "licence_error": licence_error, "form": form, "values": values or {},
                   "errors": errors or {},
                   "course_options": [(c.id, f"{c.code} — {c.title}") for c in courses],
                   # Results: registrars in every course, instructors in their own (the API's
                   # rule, which record_result enforces again).
                   "grading": {str(c.id) for c in courses if principal.role in RECORDS or (
                       principal.role == INSTRUCTOR and c.instructor_id == principal.user_id)},
                   "program_options": [(p.id, f"{p.code} — {p.title}") for p in programs],
                   "registrar": principal.role in RECORDS}, status=status)


@get("/learners/{learner_id:uuid}")
async def learner_page(request: Request, learner_id: FromPath[uuid.UUID],
                       principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession]) -> Screen:
    """A lifetime on one page; with ``?program=`` the advisor's recommendations below it."""
    return await learner_screen(request, db, principal, learner_id)


@post("/learners/{learner_id:uuid}/clr", status_code=200)
async def export_clr(request: Request, learner_id: FromPath[uuid.UUID],
                     principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                     hooks: NamedDependency[TenantHooks],
                     settings: NamedDependency[Settings]) -> Response[str]:
    """The learner's CLR 2.0 record as a file to hand over (``POST …/clr`` of the API):
    the VC-JWT, or with ``format=data_integrity`` the JSON with its embedded proofs."""
    form = await request.form()
    _, token, _, proved = await service.export_clr(db, principal, hooks, settings.secret_key,
                                                   base_of(request), learner_id)
    if form.get("format") == "data_integrity":
        return Response(json.dumps(proved, ensure_ascii=False, indent=1),
                        media_type="application/vc+ld+json", headers={
                            "Content-Disposition":
                                f'attachment; filename="clr-{learner_id}.json"'})
    return Response(token, media_type=VC_JWT, headers={
        "Content-Disposition": f'attachment; filename="clr-{learner_id}.jwt"'})


@post("/learners/{learner_id:uuid}/credentials/{credential_id:uuid}/{action:str}",
      status_code=303)
async def credential_status(request: Request, learner_id: FromPath[uuid.UUID],
                            credential_id: FromPath[uuid.UUID], action: FromPath[str],
                            principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession],
                            hooks: NamedDependency[TenantHooks]) -> Response[str]:
    """Suspend, reinstate or revoke an issued credential (the status lists follow)."""
    form = await request.form()
    reason = str(form.get("reason") or "") or None
    if action == "revoke":
        await service.revoke(db, principal, hooks, learner_id, credential_id, reason)
    elif action in ("suspend", "reinstate"):
        await service.set_suspended(db, principal, hooks, learner_id, credential_id,
                                    suspend=action == "suspend", reason=reason)
    else:
        raise RapportError(detail="Unknown action", status=404)
    target = f"/apps/education/learners/{learner_id}#credentials"
    if request.headers.get("hx-request") == "true":
        return Response("", status_code=200, headers={"HX-Redirect": target})
    return Response("", status_code=303, headers={"Location": target})


@post("/learners/{learner_id:uuid}/licences/{licence_id:uuid}/renew", status_code=303)
async def renew_licence(request: Request, learner_id: FromPath[uuid.UUID],
                        licence_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                        db: NamedDependency[AsyncSession],
                        hooks: NamedDependency[TenantHooks]) -> Response[str] | Screen:
    """Renew a licence for its next period; a shortfall or a bad date is shown on the page
    with its reason, nothing changed."""
    form = await request.form()
    try:
        data = msgspec.convert({
            "renewed_on": form.get("renewed_on") or None,
            "expires_on": form.get("expires_on") or None,
            "waive": form.get("waive") == "1", "note": form.get("note") or None}, RenewIn)
        await links.renew_licence(db, principal, hooks, learner_id, licence_id, data)
    except msgspec.ValidationError as exc:
        # The struct's English ("Invalid RFC3339 encoded date") → words the catalogs hold.
        return await learner_screen(request, db, principal, learner_id, status=422,
                                    licence_error=friendly(str(exc)))
    except RapportError as exc:
        if exc.status not in (409, 422):
            raise
        reason = exc.errors[0].message if exc.errors else exc.detail
        return await learner_screen(request, db, principal, learner_id, status=exc.status,
                                     licence_error=reason)
    target = f"/apps/education/learners/{learner_id}#licences"
    if request.headers.get("hx-request") == "true":
        return Response("", status_code=200, headers={"HX-Redirect": target})
    return Response("", status_code=303, headers={"Location": target})


@post("/learners/{learner_id:uuid}/import", status_code=201)
async def import_credential(request: Request, learner_id: FromPath[uuid.UUID],
                            principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession],
                            hooks: NamedDependency[TenantHooks]) -> Screen:
    """Verify a credential issued elsewhere and show the result: refused with its reason,
    or filed as recognition proposals (below, to accept or reject)."""
    form = await request.form()
    token = str(form.get("credential") or "").strip()
    try:
        if not token:
            raise RapportError(detail="credential: paste a credential", status=422)
        filed = await service.import_credential(db, principal, hooks, learner_id, token)
    except RapportError as exc:
        if exc.status != 422:
            raise
        reason = exc.errors[0].message if exc.errors else exc.detail
        return await learner_screen(request, db, principal, learner_id, status=422,
                                     verification={"ok": False, "reason": reason})
    return await learner_screen(request, db, principal, learner_id, status=201,
                                 verification={"ok": True, "count": len(filed)})


@post("/learners/{learner_id:uuid}/achievements/{achievement_id:uuid}/decision",
      status_code=303)
async def decide(request: Request, learner_id: FromPath[uuid.UUID],
                 achievement_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                 db: NamedDependency[AsyncSession],
                 hooks: NamedDependency[TenantHooks]) -> Response[str]:
    form = await request.form()
    await service.decide(db, principal, hooks, learner_id, achievement_id,
                         accept=form.get("decision") == "accept",
                         note=str(form.get("note") or "") or None)
    target = f"/apps/education/learners/{learner_id}"
    if request.headers.get("hx-request") == "true":
        return Response("", status_code=200, headers={"HX-Redirect": target})
    return Response("", status_code=303, headers={"Location": target})


PAGES = [learner_page, export_clr, credential_status, renew_licence,
         import_credential, decide]
