"""Kernel area: SERVQUAL surveys — routes, the CLI, the events members may subscribe to,
and the ``{{ surveys.link }}`` template variable."""

from __future__ import annotations

from typing import Any

from rapport.core.surveys.answering import LOW_SCORE, SURVEY_ANSWERED
from rapport.core.surveys.api import SurveyController
from rapport.core.surveys.automatic import periodic
from rapport.core.surveys.cli import surveys_group
from rapport.core.surveys.public_api import SurveyAnswerController
from rapport.hooks import (
    PeriodicWork,
    PluginManifest,
    SubscriptionEvent,
    TemplateQuery,
    hookimpl,
)

EXAMPLE_LINK = "https://example.invalid/survey/EXAMPLE"


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="surveys", title="Surveys", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [SurveyController, SurveyAnswerController]


@hookimpl
def rapport_cli_commands() -> list[Any]:
    return [surveys_group]


@hookimpl
def rapport_subscription_events() -> list[SubscriptionEvent]:
    return [
        SubscriptionEvent(LOW_SCORE, {
            "en": "A low survey score", "uk": "Низька оцінка в опитуванні",
            "ru": "Низкая оценка в опросе"}),
        SubscriptionEvent(SURVEY_ANSWERED, {
            "en": "A survey answered", "uk": "Відповідь на опитування",
            "ru": "Ответ на опрос"}),
    ]


@hookimpl
def rapport_template_variables(query: TemplateQuery) -> dict[str, Any]:
    # The real link exists only in an invitation, which fills these itself; elsewhere (a
    # campaign) they are empty, in the editor examples.
    if query.contact_id is None:
        return {"link": EXAMPLE_LINK, "survey": "Service survey", "reminder": False}
    return {"link": "", "survey": "", "reminder": False}


@hookimpl
async def rapport_periodic_work(work: PeriodicWork) -> int:
    """Automatic invitations after a touchpoint and the one reminder (``automatic``)."""
    return await periodic(work)
