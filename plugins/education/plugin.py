"""The education plugin's hooks: a learner's lifelong record, "never taught twice", and
portable credentials (docs/education.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from rapport.sdk import (
    ConsoleUI,
    ContactSummaryQuery,
    Permission,
    PluginManifest,
    RoleDefinition,
    SegmentCondition,
    SharingRule,
    TimelineEntry,
    TimelineQuery,
    hookimpl,
)
from rapport_plugins.education import segments, timeline
from rapport_plugins.education.console import UI
from rapport_plugins.education.models import (
    Achievement,
    Course,
    CourseOutcome,
    Enrolment,
    Holding,
    IssuedCredential,
    IssuerKey,
    Learner,
    Licence,
    Outcome,
    OutcomeLink,
    Prerequisite,
    Program,
    ProgramCourse,
)
from rapport_plugins.education.roles import LEARNER_RULE, ROLES
from rapport_plugins.education.routes.catalogue import (
    CourseController,
    OutcomeController,
    ProgramController,
)
from rapport_plugins.education.routes.credentials import CredentialController, IssuerController
from rapport_plugins.education.routes.learners import LearnerController
from rapport_plugins.education.settings import EducationSettings

PERMISSIONS = (
    Permission("education.records", "Keep learners' records: enrolments, achievements"),
    Permission("education.catalogue", "Keep the catalogue: programmes, courses, outcomes"),
    Permission("education.results", "Record results in the courses one teaches"),
    Permission("education.advise", "Read records and recommendations"),
)


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(
        name="education",
        title="Education",
        version="0.1.0",
        description="A learner's lifelong history across programmes, so nobody is taught "
        "the same thing twice, and portable credentials.",
        permissions=tuple(p.key for p in PERMISSIONS),
        price_key="price_education",
        tags=("vertical", "education"),
    )


@hookimpl
def rapport_models() -> list[type]:
    return [Program, Course, ProgramCourse, Outcome, CourseOutcome, Prerequisite, Learner,
            Enrolment, Achievement, Holding, IssuerKey, IssuedCredential,
            OutcomeLink, Licence]


@hookimpl
def rapport_migrations() -> Path:
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def rapport_routes() -> list[Any]:
    return [OutcomeController, CourseController, ProgramController, LearnerController,
            CredentialController, IssuerController]


@hookimpl
def rapport_sharing_rules() -> list[SharingRule]:
    return [LEARNER_RULE]


@hookimpl
def rapport_permissions() -> list[Permission]:
    return list(PERMISSIONS)


@hookimpl
def rapport_roles() -> list[RoleDefinition]:
    return list(ROLES)


@hookimpl
def rapport_settings_schema() -> type:
    return EducationSettings


@hookimpl
async def rapport_timeline(query: TimelineQuery) -> list[TimelineEntry]:
    return await timeline.entries(query)


@hookimpl
async def rapport_contact_summary(query: ContactSummaryQuery) -> dict[str, Any]:
    return await timeline.summary(query)


@hookimpl
def rapport_cli_commands() -> list[click.Command]:
    from rapport_plugins.education.cli import education

    return [education]


@hookimpl
def rapport_console() -> ConsoleUI:
    return UI


@hookimpl
def rapport_segment_conditions() -> list[SegmentCondition]:
    return list(segments.CONDITIONS)
