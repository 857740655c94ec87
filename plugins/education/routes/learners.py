"""Learners and their lifelong record: ``/api/v1/education/learners``."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import MAX_LIMIT, Principal, TenantHooks
from rapport_plugins.education import learners, links, record
from rapport_plugins.education.schemas import (
    AchievementIn,
    AchievementOut,
    Code,
    EnrolmentIn,
    EnrolmentOut,
    LearnerIn,
    LearnerOut,
    LearnerPage,
    LearnerPatch,
    LicenceIn,
    LicenceOut,
    RecommendationsOut,
    RecordOut,
    RenewIn,
    ResultIn,
)

Cursor = Annotated[str | None, QueryParameter(max_length=64)]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)]
Outcomes = Annotated[list[uuid.UUID] | None, QueryParameter(
    max_items=200, description="Target outcomes (instead of a program)")]


class LearnerController(Controller):
    path = "/learners"

    @post("/", status_code=201)
    async def register_learner(self, data: JSONBody[LearnerIn],
                               principal: NamedDependency[Principal],
                               db: NamedDependency[AsyncSession],
                               hooks: NamedDependency[TenantHooks]) -> LearnerOut:
        """One of your contacts becomes a learner (student number unique: 409)."""
        learner, contact = await learners.register(db, principal, hooks, data)
        return learners.learner_out(learner, contact)

    @get("/")
    async def list_learners(self, principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession], cursor: Cursor = None,
                            limit: Limit = 50,
                            student_number: Annotated[Code | None, QueryParameter()] = None,
                            ) -> LearnerPage:
        page = await learners.list_learners(db, principal, cursor, limit, student_number)
        return LearnerPage(page.items, page.next_cursor)

    @get("/{learner_id:uuid}")
    async def read_learner(self, learner_id: FromPath[uuid.UUID],
                           principal: NamedDependency[Principal],
                           db: NamedDependency[AsyncSession]) -> LearnerOut:
        return learners.learner_out(*await learners.find_learner(db, principal, learner_id))

    @patch("/{learner_id:uuid}")
    async def change_learner(self, learner_id: FromPath[uuid.UUID],
                             data: JSONBody[LearnerPatch],
                             principal: NamedDependency[Principal],
                             db: NamedDependency[AsyncSession]) -> LearnerOut:
        """Change the student number (unique: 409) or the consent to be contacted."""
        return learners.learner_out(*await learners.change(db, principal, learner_id, data))

    @get("/{learner_id:uuid}/record")
    async def learner_record(self, learner_id: FromPath[uuid.UUID],
                             principal: NamedDependency[Principal],
                             db: NamedDependency[AsyncSession]) -> RecordOut:
        """A lifetime on one page: enrolments and results, outcomes held, achievements
        (awarded here and imported), credits by unit. Audited."""
        return await record.lifelong_record(db, principal, learner_id)

    @get("/{learner_id:uuid}/recommendations")
    async def learner_recommendations(
            self, learner_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
            db: NamedDependency[AsyncSession], program: FromQuery[uuid.UUID | None] = None,
            outcomes: Outcomes = None) -> RecommendationsOut:
        """Never taught twice: the courses of a program (or teaching the target outcomes)
        to take, each with what it adds and repeats, and those to skip with the reason."""
        return await record.recommend(db, principal, learner_id, program=program,
                                      outcomes=outcomes)

    @post("/{learner_id:uuid}/enrolments", status_code=201)
    async def enrol_learner(self, learner_id: FromPath[uuid.UUID], data: JSONBody[EnrolmentIn],
                            principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession],
                            hooks: NamedDependency[TenantHooks]) -> EnrolmentOut:
        """Enrol in a course for a term: the next attempt after a failed or withdrawn one;
        409 while enrolled or once completed."""
        return learners.enrolment_out(*await learners.enrol(db, principal, hooks, learner_id,
                                                            data))

    @get("/{learner_id:uuid}/enrolments")
    async def list_enrolments(self, learner_id: FromPath[uuid.UUID],
                              principal: NamedDependency[Principal],
                              db: NamedDependency[AsyncSession]) -> list[EnrolmentOut]:
        learner, _ = await learners.find_learner(db, principal, learner_id)
        return await learners.enrolments_of(db, principal.tenant_id, learner.id)

    @post("/{learner_id:uuid}/enrolments/{enrolment_id:uuid}/result", status_code=200)
    async def record_result(self, learner_id: FromPath[uuid.UUID],
                            enrolment_id: FromPath[uuid.UUID], data: JSONBody[ResultIn],
                            principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession],
                            hooks: NamedDependency[TenantHooks]) -> EnrolmentOut:
        """A grade on the institution's scale (422 otherwise): a passing one completes the
        course and awards its outcomes, a failing one fails the attempt."""
        return learners.enrolment_out(*await learners.record_result(
            db, principal, hooks, learner_id, enrolment_id, data))

    @post("/{learner_id:uuid}/enrolments/{enrolment_id:uuid}/withdraw", status_code=200)
    async def withdraw_enrolment(self, learner_id: FromPath[uuid.UUID],
                                 enrolment_id: FromPath[uuid.UUID],
                                 principal: NamedDependency[Principal],
                                 db: NamedDependency[AsyncSession],
                                 hooks: NamedDependency[TenantHooks]) -> EnrolmentOut:
        return learners.enrolment_out(*await learners.withdraw(
            db, principal, hooks, learner_id, enrolment_id))

    @post("/{learner_id:uuid}/achievements", status_code=201)
    async def award_achievement(self, learner_id: FromPath[uuid.UUID],
                                data: JSONBody[AchievementIn],
                                principal: NamedDependency[Principal],
                                db: NamedDependency[AsyncSession],
                                hooks: NamedDependency[TenantHooks]) -> AchievementOut:
        """A degree, certificate or micro-credential awarded here."""
        return learners.achievement_out(await learners.award(db, principal, hooks,
                                                             learner_id, data))

    @post("/{learner_id:uuid}/licences", status_code=201)
    async def add_licence(self, learner_id: FromPath[uuid.UUID], data: JSONBody[LicenceIn],
                          principal: NamedDependency[Principal],
                          db: NamedDependency[AsyncSession]) -> LicenceOut:
        """A professional licence renewed with continuing-education hours (or CEUs)."""
        licence = await links.add_licence(db, principal, learner_id, data)
        return next(x for x in await links.licences_of(db, principal, learner_id)
                    if x.id == licence.id)

    @post("/{learner_id:uuid}/licences/{licence_id:uuid}/renew", status_code=200)
    async def renew_licence(self, learner_id: FromPath[uuid.UUID],
                            licence_id: FromPath[uuid.UUID], data: JSONBody[RenewIn],
                            principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession],
                            hooks: NamedDependency[TenantHooks]) -> LicenceOut:
        """Renew a licence for its next period: 409 naming the shortfall while the current
        period's requirement is not met, unless waived with a note; the ended period is
        kept in ``renewals``."""
        return await links.renew_licence(db, principal, hooks, learner_id, licence_id, data)

    @get("/{learner_id:uuid}/licences")
    async def list_licences(self, learner_id: FromPath[uuid.UUID],
                            principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession]) -> list[LicenceOut]:
        """Each licence with what was earned here since its renewal and what remains."""
        return await links.licences_of(db, principal, learner_id)
