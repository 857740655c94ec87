"""The lifelong record on one page, "never taught twice", and the returning-alumni audience.

The check is one statement: every candidate course with each outcome it teaches, the
best level the learner holds of that outcome (not expired, not older than the course's age
limit) and whether the learner completed or is taking the course — so its cost follows the
learner's history and the candidate list, never the number of other learners.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

import msgspec
from sqlalchemy import Uuid, bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, audit, invalid, not_found
from rapport_plugins.education.learners import (
    achievement_out,
    achievements_of,
    enrolments_of,
    find_learner,
    learner_out,
)
from rapport_plugins.education.models import Holding, Outcome
from rapport_plugins.education.roles import require_reader
from rapport_plugins.education.schemas import (
    AudienceMember,
    HoldingOut,
    OutcomeRef,
    Proposal,
    RecommendationsOut,
    RecordOut,
)
from rapport_plugins.education.settings import EducationSettings

# Who and what is asked about, in one round trip: the learner (a live contact), whether
# the programme is this institution's, and the module's settings.
PREAMBLE_SQL = """
SELECT (SELECT l.id FROM education_learners l
        JOIN contacts ct ON ct.tenant_id = l.tenant_id AND ct.id = l.contact_id
        WHERE l.tenant_id = :tenant AND l.id = :learner AND ct.deleted_at IS NULL),
       (SELECT p.id FROM education_programs p
        WHERE p.tenant_id = :tenant AND p.id = :program),
       (SELECT m.settings FROM tenant_modules m
        WHERE m.tenant_id = :tenant AND m.name = 'education')
"""
# The "already taught" statement. :courses is the candidate list, chosen by CANDIDATES.
# Each candidate's unmet prerequisites come along (``pre``), so the check is one round trip.
CHECK_SQL = """
WITH mine AS (
    -- The learner's own enrolments, found by the learner (never scanning a course's
    -- enrolments, which grow with the number of learners).
    SELECT e.course_id, max(e.status) AS status FROM education_enrolments e
    WHERE e.tenant_id = :tenant AND e.learner_id = :learner
      AND e.status IN ('completed', 'enrolled')
    GROUP BY e.course_id
), pre AS (
    SELECT p.course_id, array_agg(r.id ORDER BY r.code) AS ids,
           array_agg(r.code ORDER BY r.code) AS codes
    FROM education_prerequisites p
    JOIN education_courses r ON r.tenant_id = p.tenant_id AND r.id = p.requires_id
    WHERE p.tenant_id = :tenant AND p.course_id IN ({candidates})
      AND NOT EXISTS (SELECT 1 FROM education_enrolments e
                      WHERE e.tenant_id = r.tenant_id AND e.learner_id = :learner
                        AND e.course_id = r.id AND e.status = 'completed')
    GROUP BY p.course_id
)
SELECT c.id, c.code, c.title, c.credits, c.credit_unit, co.outcome_id, o.code, o.title,
       co.level,
       (SELECT max(h.level) FROM education_holdings h
        WHERE h.tenant_id = c.tenant_id AND h.learner_id = :learner
          AND h.outcome_id = co.outcome_id
          AND (h.expires_on IS NULL OR h.expires_on > current_date)
          AND (c.max_age_years IS NULL
               OR h.achieved_on > current_date - make_interval(years => c.max_age_years))),
       mine.status, pre.ids, pre.codes
FROM education_courses c
LEFT JOIN mine ON mine.course_id = c.id
LEFT JOIN pre ON pre.course_id = c.id
LEFT JOIN education_course_outcomes co ON co.tenant_id = c.tenant_id AND co.course_id = c.id
LEFT JOIN education_outcomes o ON o.tenant_id = co.tenant_id AND o.id = co.outcome_id
WHERE c.tenant_id = :tenant AND c.id IN ({candidates})
ORDER BY c.code, c.id, o.code
"""
CANDIDATES = {
    "program": "SELECT pc.course_id FROM education_program_courses pc "
               "WHERE pc.tenant_id = :tenant AND pc.program_id = :target",
    # No target: everything the catalogue offers now (its published courses).
    "catalogue": "SELECT c2.id FROM education_courses c2 "
                 "WHERE c2.tenant_id = :tenant AND c2.published_at IS NOT NULL",
    "outcomes": "SELECT co2.course_id FROM education_course_outcomes co2 "
                "WHERE co2.tenant_id = :tenant AND co2.outcome_id = ANY(:target)",
}


def check_statement(kind: str) -> str:
    """The SQL of the check for a programme or a set of outcomes (constants only)."""
    return CHECK_SQL.format(candidates=CANDIDATES[kind])


_PREAMBLE = text(PREAMBLE_SQL).bindparams(bindparam("program", type_=Uuid))
_CHECKS = {kind: text(check_statement(kind)) for kind in CANDIDATES}


@dataclass
class _Course:
    id: uuid.UUID
    code: str
    title: str
    credits: Decimal
    credit_unit: str
    status: str | None
    adds: list[OutcomeRef] = field(default_factory=list)
    repeats: list[OutcomeRef] = field(default_factory=list)


async def recommend(db: AsyncSession, principal: Principal, learner_id: uuid.UUID, *,
                    program: uuid.UUID | None = None,
                    outcomes: list[uuid.UUID] | None = None) -> RecommendationsOut:
    require_reader(principal)
    if program is not None and outcomes:
        raise invalid("program", "give a program or a list of outcomes, not both")
    found, program_found, raw = (await db.execute(_PREAMBLE, {
        "tenant": principal.tenant_id, "learner": learner_id, "program": program})).one()
    if found is None:
        raise not_found("Learner")
    params: dict[str, object] = {"tenant": principal.tenant_id, "learner": found}
    if program is not None:
        if program_found is None:
            raise not_found("Program")
        kind, params["target"] = "program", program
    elif outcomes:
        known = set((await db.execute(select(Outcome.id).where(
            Outcome.tenant_id == principal.tenant_id, Outcome.id.in_(outcomes)))).scalars())
        for i, wanted in enumerate(outcomes):
            if wanted not in known:
                raise invalid(f"outcomes[{i}]", f"unknown outcome {wanted}")
        kind, params["target"] = "outcomes", list(outcomes)
    else:
        kind = "catalogue"
    try:
        settings = msgspec.convert(raw or {}, EducationSettings)
    except msgspec.ValidationError:  # as the kernel's load_settings: defaults then
        settings = EducationSettings()
    courses: dict[uuid.UUID, _Course] = {}
    missing: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {}
    for (cid, code, title, credits, unit, oid, ocode, otitle, level, held,
         status, pre_ids, pre_codes) in (await db.execute(_CHECKS[kind], params)).all():
        course = courses.get(cid)
        if course is None:
            course = courses[cid] = _Course(cid, code, title, credits, unit, status)
            missing[cid] = list(zip(pre_ids or [], pre_codes or [], strict=True))
        if oid is None:
            continue
        ref = OutcomeRef(oid, ocode, otitle, level, held)
        (course.repeats if held is not None and held >= level else course.adds).append(ref)
    take: list[Proposal] = []
    skip: list[Proposal] = []
    saved = Decimal(0)
    for course in courses.values():
        total = len(course.adds) + len(course.repeats)
        overlap = round(len(course.repeats) / total, 3) if total else 0.0
        proposal = Proposal(course.id, course.code, course.title, float(course.credits),
                            course.credit_unit, course.adds, course.repeats, overlap, [], "")
        if course.status == "completed":
            proposal.why, proposal.reason = "completed", "already completed here"
        elif course.status == "enrolled":
            proposal.why, proposal.reason = "enrolled", "currently enrolled"
        elif total and not course.adds:
            proposal.why = "all_held"
            proposal.reason = f"every outcome it teaches is already held ({total})"
        elif total and overlap >= settings.repeat_threshold:
            proposal.why = "mostly_repeats"
            proposal.reason = (f"would repeat {len(course.repeats)} of {total} outcomes; "
                               f"adds only {', '.join(r.code for r in course.adds)}")
        if proposal.reason:
            skip.append(proposal)
            if course.status != "enrolled":
                saved += course.credits
            continue
        proposal.why = "adds" if course.adds else "no_outcomes"
        proposal.reason = (f"adds {', '.join(r.code for r in course.adds)}"
                           if course.adds else "teaches no mapped outcome")
        if course.repeats:
            proposal.reason += f"; repeats {', '.join(r.code for r in course.repeats)}"
        take.append(proposal)
    taken = {p.course_id for p in take}
    for proposal in take:
        proposal.missing_prerequisites = [code for rid, code in missing[proposal.course_id]
                                          if rid not in taken]
    # Not audited: it reads only what the (audited) record shows, and it is the hot path.
    return RecommendationsOut(found, take, skip, float(saved))


async def holdings_of(db: AsyncSession, tenant_id: uuid.UUID,
                      learner_id: uuid.UUID) -> list[HoldingOut]:
    rows = (await db.execute(
        select(Holding, Outcome)
        .join(Outcome, (Outcome.tenant_id == Holding.tenant_id)
              & (Outcome.id == Holding.outcome_id))
        .where(Holding.tenant_id == tenant_id, Holding.learner_id == learner_id)
        .order_by(Holding.achieved_on.desc(), Outcome.code))).all()
    return [HoldingOut(o.id, o.code, o.title, h.level, h.source, h.achieved_on, h.expires_on)
            for h, o in rows]


async def lifelong_record(db: AsyncSession, principal: Principal,
                          learner_id: uuid.UUID) -> RecordOut:
    learner, contact = await find_learner(db, principal, learner_id)
    enrolments = await enrolments_of(db, principal.tenant_id, learner.id)
    credits: dict[str, float] = {}
    rows = (await db.execute(text(
        "SELECT c.credit_unit, sum(c.credits) FROM education_enrolments e "
        "JOIN education_courses c ON c.tenant_id = e.tenant_id AND c.id = e.course_id "
        "WHERE e.tenant_id = :t AND e.learner_id = :l AND e.status = 'completed' "
        "GROUP BY c.credit_unit"), {"t": principal.tenant_id, "l": learner.id})).all()
    for unit, total in rows:
        credits[unit] = float(total)
    out = RecordOut(learner_out(learner, contact), enrolments,
                    await holdings_of(db, principal.tenant_id, learner.id),
                    [achievement_out(a) for a in
                     await achievements_of(db, principal.tenant_id, learner.id)],
                    credits)
    await audit.record(db, principal, audit.READ, "education.learner", learner.id,
                       detail={"record": True})
    return out


AUDIENCE_SQL = """
SELECT l.id, l.contact_id, l.student_number, ct.display_name,
       array_agg(o.code ORDER BY o.code)
FROM education_learners l
JOIN contacts ct ON ct.tenant_id = l.tenant_id AND ct.id = l.contact_id
JOIN education_course_outcomes co ON co.tenant_id = l.tenant_id AND co.course_id = :course
JOIN education_outcomes o ON o.tenant_id = co.tenant_id AND o.id = co.outcome_id
WHERE l.tenant_id = :tenant AND l.may_contact AND ct.deleted_at IS NULL
  AND EXISTS (SELECT 1 FROM education_enrolments e WHERE e.tenant_id = l.tenant_id
              AND e.learner_id = l.id AND e.status = 'completed')
  AND NOT EXISTS (SELECT 1 FROM education_enrolments e WHERE e.tenant_id = l.tenant_id
                  AND e.learner_id = l.id AND e.course_id = :course
                  AND e.status IN ('completed', 'enrolled'))
  AND NOT EXISTS (SELECT 1 FROM education_holdings h WHERE h.tenant_id = l.tenant_id
                  AND h.learner_id = l.id AND h.outcome_id = co.outcome_id
                  AND h.level >= co.level
                  AND (h.expires_on IS NULL OR h.expires_on > current_date))
GROUP BY l.id, l.contact_id, l.student_number, ct.display_name
ORDER BY l.id
LIMIT 1000
"""


async def offer_audience(db: AsyncSession, principal: Principal,
                         course_id: uuid.UUID) -> list[AudienceMember]:
    """Alumni who consented to hear from us and would gain an outcome from the course."""
    rows = (await db.execute(text(AUDIENCE_SQL),
                             {"tenant": principal.tenant_id, "course": course_id})).all()
    return [AudienceMember(lid, cid, number, name, list(codes))
            for lid, cid, number, name, codes in rows]
