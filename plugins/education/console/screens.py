"""The catalogue page, the learner page (record + recommendations) and the customer-page
panel. Every read goes through the same services as the API (the record read is audited
the same way)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import PanelQuery, Principal, RapportError, Screen
from rapport_plugins.education import catalogue, record
from rapport_plugins.education.models import Program
from rapport_plugins.education.timeline import SUMMARY_SQL


async def panel(query: PanelQuery) -> dict[str, Any] | None:
    """One indexed lookup: is this customer a learner here, and how far have they come."""
    row = (await query.session.execute(SUMMARY_SQL, {"tenant": query.tenant_id,
                                                     "contact": query.contact_id})).first()
    if row is None:
        return None
    return {"learner_id": row[0], "student_number": row[1], "completed": row[2],
            "outcomes": row[3]}


@get("/")
async def catalogue_page(principal: NamedDependency[Principal],
                         db: NamedDependency[AsyncSession]) -> Screen:
    page = await catalogue.list_courses(db, principal, None, 200)
    courses = await catalogue.courses_out(db, principal.tenant_id, page.items)
    programs = (await catalogue.list_programs(db, principal, None, 200)).items
    return Screen("education/catalogue.html", "Catalogue",
                  {"courses": courses, "programs": programs})


@get("/learners/{learner_id:uuid}")
async def learner_page(request: Request, learner_id: FromPath[uuid.UUID],
                       principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession]) -> Screen:
    """A lifetime on one page; with ``?program=`` the advisor's recommendations below it."""
    found = await record.lifelong_record(db, principal, learner_id)  # 404 if not ours
    programs = list((await db.execute(select(Program).where(
        Program.tenant_id == principal.tenant_id).order_by(Program.code))).scalars())
    chosen = request.query_params.get("program") or ""
    advice, error, status = None, None, 200
    if chosen:
        try:
            advice = await record.recommend(db, principal, learner_id,
                                            program=uuid.UUID(chosen))
        except (ValueError, RapportError):
            error, status = "Choose one of the programmes", 422
    return Screen("education/learner.html", found.learner.name or "Learner",
                  {"record": found, "programs": programs, "chosen": chosen, "advice": advice,
                   "error": error}, status=status)


PAGES = [catalogue_page, learner_page]
