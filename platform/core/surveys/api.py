"""HTTP doors of surveys for members: CRUD, invitations, the report and its CSV."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.communication.senders import default_senders
from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.core.surveys import invitations, report, surveys
from rapport.core.surveys.schemas import (
    Group,
    InvitationIn,
    InvitationList,
    InvitationOut,
    InvitationSent,
    Language,
    ReportOut,
    ReportRow,
    SurveyIn,
    SurveyList,
    SurveyOut,
    SurveyPatch,
)
from rapport.hooks import TenantHooks
from rapport.settings import Settings
from rapport.tenancy.principal import Principal

From = Annotated[str | None, QueryParameter(
    name="from", format=OpenAPIFormat.DATE, max_length=10,
    description="First day (YYYY-MM-DD, inclusive, UTC); default 364 days before to")]
To = Annotated[str | None, QueryParameter(
    name="to", format=OpenAPIFormat.DATE, max_length=10,
    description="Last day (YYYY-MM-DD, inclusive, UTC); default today")]
GroupParam = Annotated[Group, QueryParameter(description="what each row is")]
LanguageParam = Annotated[Language | None, QueryParameter(
    description="labels in this survey language (default: its first)")]


@dataclass
class ReportFile(Operation):
    """The CSV export's answer."""

    def __post_init__(self) -> None:
        text = Schema(type=OpenAPIType.STRING)
        self.responses = {**(self.responses or {}), "200": OpenAPIResponse(
            description="The survey report, one group per row, with a header and an overall "
                        "line",
            headers={"Content-Disposition": OpenAPIHeader(schema=text)},
            content={"text/csv": OpenAPIMediaType(schema=text),
                     "application/json": OpenAPIMediaType(schema=Schema(
                         type=OpenAPIType.ARRAY, items=Schema(
                             type=OpenAPIType.ARRAY, items=text)))},
        )}


def _report_out(found: report.Report) -> ReportOut:
    return ReportOut(found.survey_id, found.group, found.start.isoformat(),
                     found.end.isoformat(), found.responses, found.expectation,
                     found.perception, found.gap, found.weighted_gap, found.weights,
                     [ReportRow(r.key, r.label, r.responses, r.answers, r.expectation,
                                r.perception, r.gap, r.invited, r.answered, r.response_rate)
                      for r in found.rows], found.invited, found.answered, found.response_rate)


class SurveyController(Controller):
    path = "/api/v1/surveys"
    tags = ["surveys"]

    @get("/")
    async def list_surveys(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> SurveyList:
        """Newest first; pass ``next_cursor`` back as ``cursor``."""
        page = await surveys.list_surveys(db, principal, cursor=cursor, limit=limit)
        return SurveyList([SurveyOut.of(s) for s in page.items], page.next_cursor)

    @post("/", status_code=201)
    async def create_survey(
        self, data: JSONBody[SurveyIn], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> SurveyOut:
        """A survey; without ``items`` it asks the 22 standard SERVQUAL items in its
        languages (en, uk and ru are built in)."""
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        return SurveyOut.of(await surveys.create_survey(db, principal, values))

    @get("/{survey_id:uuid}")
    async def get_survey(
        self, survey_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> SurveyOut:
        return SurveyOut.of(await surveys.get_survey(db, principal, survey_id))

    @patch("/{survey_id:uuid}")
    async def update_survey(
        self, survey_id: FromPath[uuid.UUID], data: JSONBody[SurveyPatch],
        principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    ) -> SurveyOut:
        """Change only what is sent; ``items`` replaces the list; ``null`` clears
        ``weights``, ``manager_id``, ``template_id`` or ``auto_channel``."""
        return SurveyOut.of(await surveys.update_survey(db, principal, survey_id,
                                                        data.changes()))

    @delete("/{survey_id:uuid}", status_code=204)
    async def delete_survey(
        self, survey_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> None:
        """The survey, its invitations and responses (the timeline keeps the answers)."""
        await surveys.delete_survey(db, principal, survey_id)

    @post("/{survey_id:uuid}/invitations", status_code=201)
    async def invite(
        self, survey_id: FromPath[uuid.UUID], data: JSONBody[InvitationIn],
        principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks], settings: NamedDependency[Settings],
    ) -> InvitationSent:
        """Send the contact a signed link after a touchpoint (``service_point``, the
        ``interaction_id`` of the visit or delivery, the ``employee_id`` who served). A
        contact who may not be contacted on the channel about the survey's topic is a 422
        on ``contact_id`` and nothing is sent; a channel without a sender a 422 on
        ``channel``; a touchpoint already invited a 409. A send the provider refused is
        answered with ``status`` ``failed``. ``url`` is the link (shown this once)."""
        survey = await surveys.get_survey(db, principal, survey_id)
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        sent = await invitations.invite(db, principal, hooks, settings,
                                        default_senders(settings), survey, values)
        out = InvitationOut.of(sent.invitation)
        return InvitationSent(**{f: getattr(out, f) for f in out.__struct_fields__},
                              url=sent.url)

    @get("/{survey_id:uuid}/invitations")
    async def list_invitations(
        self, survey_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> InvitationList:
        """Newest first: sent, answered, failed, or skipped (and why)."""
        page = await invitations.list_invitations(db, principal, survey_id, cursor=cursor,
                                                  limit=limit)
        return InvitationList([InvitationOut.of(i) for i in page.items], page.next_cursor)

    @get("/{survey_id:uuid}/report")
    async def survey_report(
        self, survey_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession], from_: From = None, to: To = None,
        group: GroupParam = "dimension", language: LanguageParam = None,
    ) -> ReportOut:
        """Per group the mean expectation, perception and gap (perception - expectation)
        over the answers of the responses submitted in the period, with the counts; overall
        the means and the weighted SERVQUAL score (``weighted_gap``). ``invited``,
        ``answered`` and ``response_rate``: the invitations sent in the period and how many
        were answered — overall, and per row when grouped by service point, employee or
        month (null per dimension or item)."""
        return _report_out(await report.survey_report(
            db, principal, survey_id, group=group, start=from_, end=to, language=language))

    @get("/{survey_id:uuid}/report/export", operation_class=ReportFile)
    async def survey_report_export(
        self, survey_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession], from_: From = None, to: To = None,
        group: GroupParam = "dimension", language: LanguageParam = None,
        format: Annotated[Literal["csv", "json"], QueryParameter(
            description="csv, or json: the same lines as an array of arrays")] = "csv",
    ) -> Response[Any]:
        """The report as CSV (the same rows and rules as ``/report``): a header, a line per
        group, then the overall line with the weighted SERVQUAL score."""
        found = await report.survey_report(db, principal, survey_id, group=group,
                                           start=from_, end=to, language=language)
        if format == "json":
            return Response(report.csv_rows(found), media_type="application/json")
        out = io.StringIO()
        csv.writer(out).writerows(report.csv_rows(found))
        name = f"survey-{found.group}-{found.start}-{found.end}.csv"
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
