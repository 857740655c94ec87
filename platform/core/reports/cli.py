"""``rapport reports members --tenant SLUG [--from DAY] [--to DAY] [--csv] [--as EMAIL]``:
the members' report in the terminal (a table) or as CSV on standard output — the same rows
and rules as ``GET /api/v1/reports/members``, acting as the tenant's first owner unless
``--as`` names another member (who then sees only their own row unless a manager)."""

from __future__ import annotations

import asyncio
import csv
import sys

import click

from rapport.core.reports.schemas import MembersReport
from rapport.errors import RapportError


async def _report(slug: str, as_email: str | None, since: str | None,
                  until: str | None) -> MembersReport:
    from rapport.core.imports.cli import _actor_and_hooks
    from rapport.core.reports.members import measures_for, members_report
    from rapport.db.session import make_engine, make_sessionmaker, tenant_session
    from rapport.runtime import resolve_database
    from rapport.settings import Settings

    settings = Settings.from_env()
    settings.check()
    engine = make_engine(resolve_database(settings).app_url, pool_size=2, max_overflow=0)
    try:
        sessions = make_sessionmaker(engine)
        actor, _, hooks = await _actor_and_hooks(sessions, slug, as_email)
        async with tenant_session(sessions, actor.tenant_id, actor.user_id) as session:
            return await members_report(session, actor, measures_for(hooks.registry, actor),
                                        since=since, until=until)
    finally:
        await engine.dispose()


def _table(report: MembersReport) -> None:
    click.echo(f"Members' report {report.since} .. {report.until} "
               f"(median interactions {report.median_interactions:g})")
    head = ("member", "acts", "opened", "won", "lost", "revenue", "done", "overdue",
            "act→deal", "deal→won", "")
    click.echo("\t".join(head))
    for m in report.members:
        c = m.conversion
        click.echo("\t".join((
            m.member_name or str(m.member_id), str(m.interactions), str(m.deals_opened),
            str(m.deals_won), str(m.deals_lost),
            "; ".join(f"{r.currency} {r.amount}" for r in m.revenue_won) or "-",
            str(m.tasks_done), str(m.tasks_overdue),
            "-" if c.interactions_to_deals is None else f"{c.interactions_to_deals:.0%}",
            "-" if c.deals_to_won is None else f"{c.deals_to_won:.0%}",
            "busy, few results" if m.activity_without_results else "",
        )))


@click.group("reports")
def reports_group() -> None:
    """Management reports."""


@reports_group.command("members")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--from", "since", default=None, metavar="YYYY-MM-DD",
              help="First day (default: 29 days before --to).")
@click.option("--to", "until", default=None, metavar="YYYY-MM-DD",
              help="Last day (default: today).")
@click.option("--csv", "as_csv", is_flag=True, help="CSV on standard output.")
@click.option("--as", "as_email", default=None,
              help="Act as this member (default: the tenant's first owner).")
def members_command(slug: str, since: str | None, until: str | None, as_csv: bool,
                    as_email: str | None) -> None:
    """Each member's activity against results over the period."""
    from rapport.core.reports.members import csv_rows

    try:
        report = asyncio.run(_report(slug, as_email, since, until))
    except RapportError as exc:
        detail = "; ".join(f"{e.field}: {e.message}" for e in exc.errors) or exc.detail
        raise click.ClickException(detail) from exc
    if as_csv:
        csv.writer(sys.stdout).writerows(csv_rows(report))
    else:
        _table(report)
