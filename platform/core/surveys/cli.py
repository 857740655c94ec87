"""``rapport surveys list --tenant SLUG`` (each survey: items, languages, threshold,
invitations and responses) and ``rapport surveys report --tenant SLUG SURVEY_ID`` (the gap
per dimension, item, service point, employee or month; ``--csv`` for the export)."""

from __future__ import annotations

import csv
import sys
import uuid
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from rapport.core.communication.cli import _run
from rapport.core.surveys.report import GROUPS


@click.group("surveys")
def surveys_group() -> None:
    """SERVQUAL surveys: list and report (docs/surveys.md)."""


@surveys_group.command("list")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--as", "as_email", default=None,
              help="Act as this member (default: the tenant's first owner).")
def list_command(slug: str, as_email: str | None) -> None:
    """Every survey of the tenant, newest first."""
    from sqlalchemy import func, select

    from rapport.core.imports.cli import _actor_and_hooks
    from rapport.core.surveys import surveys
    from rapport.core.surveys.models import SurveyInvitation, SurveyResponse
    from rapport.db.session import tenant_session

    async def work(settings: Any, sessions: Any, registry: Any) -> list[tuple[Any, ...]]:
        actor, _, _ = await _actor_and_hooks(sessions, slug, as_email)
        async with tenant_session(sessions, actor.tenant_id, actor.user_id) as session:
            page = await surveys.list_surveys(session, actor, cursor=None, limit=200)
            out = []
            for s in page.items:
                sent, answered = (await session.execute(select(
                    select(func.count()).where(SurveyInvitation.tenant_id == actor.tenant_id,
                                               SurveyInvitation.survey_id == s.id,
                                               SurveyInvitation.status.in_(
                                                   ("sent", "answered")))
                    .scalar_subquery(),
                    select(func.count()).where(SurveyResponse.tenant_id == actor.tenant_id,
                                               SurveyResponse.survey_id == s.id)
                    .scalar_subquery()))).one()
                out.append((s, sent, answered))
            return out

    table = Table("id", "name", "items", "languages", "threshold", "invited", "responses",
                  "active")
    for s, sent, answered in _run(work):
        table.add_row(str(s.id), s.name, str(len(s.items)), ",".join(s.languages),
                      f"{s.threshold_on} < {s.threshold}", str(sent), str(answered),
                      "yes" if s.active else "no")
    Console().print(table)


@surveys_group.command("report")
@click.argument("survey_id", type=click.UUID)
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--group", type=click.Choice(GROUPS), default="dimension", show_default=True)
@click.option("--from", "start", default=None, help="First day, YYYY-MM-DD.")
@click.option("--to", "end", default=None, help="Last day, YYYY-MM-DD.")
@click.option("--language", default=None, help="Labels in this survey language.")
@click.option("--csv", "as_csv", is_flag=True, help="Write CSV to standard output.")
@click.option("--as", "as_email", default=None,
              help="Act as this member (default: the tenant's first owner).")
def report_command(survey_id: uuid.UUID, slug: str, group: str, start: str | None,
                   end: str | None, language: str | None, as_csv: bool,
                   as_email: str | None) -> None:
    """The gap (perception - expectation) per group, with the means and counts, the
    weighted SERVQUAL score and the response rate (invited, answered)."""
    from rapport.core.imports.cli import _actor_and_hooks
    from rapport.core.surveys import report
    from rapport.db.session import tenant_session

    async def work(settings: Any, sessions: Any, registry: Any) -> report.Report:
        actor, _, _ = await _actor_and_hooks(sessions, slug, as_email)
        async with tenant_session(sessions, actor.tenant_id, actor.user_id) as session:
            return await report.survey_report(session, actor, survey_id, group=group,
                                              start=start, end=end, language=language)

    found = _run(work)
    if as_csv:
        csv.writer(sys.stdout).writerows(report.csv_rows(found))
        return
    rated = group in report.RATE_GROUPS
    columns = [group, "responses", "answers", "expectation", "perception", "gap"]
    table = Table(*columns, *(["invited", "answered", "rate"] if rated else []),
                  title=f"{found.start} - {found.end}")

    def num(value: float | None, shape: str) -> str:
        return "" if value is None else format(value, shape)

    for r in found.rows:
        cells = [r.label, str(r.responses), str(r.answers), num(r.expectation, ".2f"),
                 num(r.perception, ".2f"), num(r.gap, "+.2f")]
        if rated:
            cells += [str(r.invited), str(r.answered), num(r.response_rate, ".0%")]
        table.add_row(*cells)
    Console().print(table)
    if found.responses:
        click.echo(f"{found.responses} responses; weighted SERVQUAL score "
                   f"{found.weighted_gap:+.3f} (gap {found.gap:+.3f})")
    else:
        click.echo("No responses in this period.")
    if found.invited:
        click.echo(f"{found.invited} invited, {found.answered} answered: response rate "
                   f"{found.response_rate:.0%}")
