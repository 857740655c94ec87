"""The learner's history on the contact's timeline and on the contact view: the kernel's
customer page shows at a glance that this person studied here (and what)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import select, text

from rapport.sdk import ContactSummaryQuery, TimelineEntry, TimelineQuery
from rapport_plugins.education.models import Achievement, Course, Enrolment, Learner
from rapport_plugins.education.roles import READERS


async def entries(query: TimelineQuery) -> list[TimelineEntry]:
    if query.actor is None or query.actor.role not in READERS:
        return []
    learner_id = (await query.session.execute(select(Learner.id).where(
        Learner.tenant_id == query.tenant_id, Learner.contact_id == query.contact_id))
    ).scalar_one_or_none()
    if learner_id is None:
        return []
    stmt = (select(Enrolment, Course)
            .join(Course, (Course.tenant_id == Enrolment.tenant_id)
                  & (Course.id == Enrolment.course_id))
            .where(Enrolment.tenant_id == query.tenant_id, Enrolment.learner_id == learner_id))
    if query.before is not None:
        stmt = stmt.where(Enrolment.created_at < query.before)
    found: list[TimelineEntry] = [
        TimelineEntry(
            at=e.created_at, kind=f"education.{e.status}",
            title=f"{c.code} {c.title}", summary=f"{e.term}: {e.status}"
            + (f" ({e.grade})" if e.grade else ""),
            record_type="education.learner", record_id=learner_id, source="education",
            data={"enrolment_id": str(e.id), "course_id": str(c.id), "status": e.status,
                  "grade": e.grade, "attempt": e.attempt})
        for e, c in (await query.session.execute(
            stmt.order_by(Enrolment.created_at.desc()).limit(query.limit))).all()
    ]
    achievements = select(Achievement).where(Achievement.tenant_id == query.tenant_id,
                                             Achievement.learner_id == learner_id)
    for a in (await query.session.execute(
            achievements.order_by(Achievement.issued_on.desc()).limit(query.limit))).scalars():
        at = datetime.combine(a.issued_on, time(), UTC)
        if query.before is not None and at >= query.before:
            continue
        found.append(TimelineEntry(
            at=at, kind="education.achievement", title=a.title,
            summary=f"{a.kind}, {a.issuer_name}", record_type="education.learner",
            record_id=learner_id, source="education",
            data={"achievement_id": str(a.id), "imported": a.imported}))
    found.sort(key=lambda entry: entry.at, reverse=True)
    return found[: query.limit]


SUMMARY_SQL = text("""
SELECT l.id, l.student_number,
       (SELECT count(*) FROM education_enrolments e WHERE e.tenant_id = l.tenant_id
        AND e.learner_id = l.id AND e.status = 'completed'),
       (SELECT count(DISTINCT h.outcome_id) FROM education_holdings h
        WHERE h.tenant_id = l.tenant_id AND h.learner_id = l.id)
FROM education_learners l WHERE l.tenant_id = :tenant AND l.contact_id = :contact
""")


async def summary(query: ContactSummaryQuery) -> dict[str, Any]:
    if query.actor is None or query.actor.role not in READERS:
        return {}
    row = (await query.session.execute(SUMMARY_SQL, {"tenant": query.tenant_id,
                                                     "contact": query.contact_id})).first()
    if row is None:
        return {}
    return {"education": {"learner_id": str(row[0]), "student_number": row[1],
                          "completed_courses": row[2], "outcomes_held": row[3]}}
