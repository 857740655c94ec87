"""The public JSON door of a survey link (no login: the signed token is the proof) — the
same link the answer page (``/survey/{token}``) serves to people. A changed or foreign
token is a 422 on ``token``; an expired or already answered link a 410; a link whose
survey was deleted a 404."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from msgspec import Meta

from rapport.core.surveys import answering
from rapport.core.surveys.instrument import SCALE_MAX, SCALE_MIN
from rapport.core.surveys.schemas import AnswersIn, QuestionnaireOut, QuestionOut, SubmittedOut
from rapport.errors import ALSO_ANSWERS
from rapport.hooks import PluginRegistry
from rapport.settings import Settings

Token = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_\-]+$")]
PUBLIC = {"exclude_from_auth": True, ALSO_ANSWERS: (404, 410)}


class SurveyAnswerController(Controller):
    path = "/api/v1/survey-answers"
    tags = ["surveys"]

    @get("/{token:str}", opt=PUBLIC)
    async def survey_questionnaire(
        self, token: FromPath[Token], request: Request, settings: NamedDependency[Settings],
    ) -> QuestionnaireOut:
        """The items to answer, in the invitation's language, each twice on the 1-7 scale:
        ``expectation`` (what an excellent organisation would offer) and ``perception``
        (what this one offered)."""
        found = await answering.questionnaire(request.app.state.sessionmaker,
                                              settings.secret_key, token)
        return QuestionnaireOut(
            found.organization, found.survey, found.language, SCALE_MIN, SCALE_MAX,
            found.service_point, found.employee, found.expires_at,
            [QuestionOut(q.key, q.dimension, q.dimension_name, q.text) for q in found.items])

    @post("/{token:str}", status_code=201, opt=PUBLIC)
    async def submit_survey_answers(
        self, token: FromPath[Token], data: JSONBody[AnswersIn], request: Request,
        settings: NamedDependency[Settings], registry: NamedDependency[PluginRegistry],
    ) -> SubmittedOut:
        """Every item once with both answers (422 naming each answer at fault, nothing
        written); the link is then spent (a second submission is a 410)."""
        answers = [answering.Answer(a.item, a.expectation, a.perception) for a in data.answers]
        when = await answering.submit(request.app.state.sessionmaker, registry,
                                      settings.secret_key, token, answers, data.comment)
        return SubmittedOut(True, when)
