"""``rapport education …``: the registrar's and advisor's commands, running the same
service code as the API (one transaction each, as the tenant's member ``--as``)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click
import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import (
    Principal,
    RapportError,
    Settings,
    TenantHooks,
    cli_tenant,
    tenant_session,
)
from rapport_plugins.education import catalogue, learners, links, record
from rapport_plugins.education.credentials import service
from rapport_plugins.education.models import Course, Learner, Outcome, Program
from rapport_plugins.education.schemas import EnrolmentIn, RenewIn, ResultIn

T = TypeVar("T")
Work = Callable[[AsyncSession, Principal, TenantHooks], Awaitable[T]]


def _run(slug: str, as_email: str | None, work: Work[T]) -> T:
    async def go() -> T:
        async with cli_tenant(slug, as_email) as ctx:  # noqa: SIM117 (session needs ctx)
            async with tenant_session(ctx.sessions, ctx.actor.tenant_id,
                                      ctx.actor.user_id) as session:
                return await work(session, ctx.actor, ctx.hooks)

    try:
        return asyncio.run(go())
    except RapportError as exc:
        raise click.ClickException(exc.detail) from exc


async def _by_code(db: AsyncSession, principal: Principal, model: Any, column: Any,
                   value: str, what: str) -> uuid.UUID:
    found = (await db.execute(select(model.id).where(model.tenant_id == principal.tenant_id,
                                                     column == value))).scalar_one_or_none()
    if found is None:
        raise click.ClickException(f"no {what} {value!r} in this organization")
    return found


async def _learner(db: AsyncSession, principal: Principal, number: str) -> uuid.UUID:
    return await _by_code(db, principal, Learner, Learner.student_number, number, "learner")


def _emit(value: Any, as_json: bool, text: Callable[[Any], None]) -> None:
    if as_json:
        click.echo(msgspec.json.encode(value).decode())
    else:
        text(value)


tenant_option = click.option("--tenant", "slug", required=True, help="The tenant's slug.")
as_option = click.option("--as", "as_email", default=None,
                         help="Act as this member (default: the first owner).")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.group()
def education() -> None:
    """Education: learners' lifelong records and "never taught twice"."""


@education.command("record")
@click.argument("student_number")
@tenant_option
@as_option
@json_option
def record_command(student_number: str, slug: str, as_email: str | None,
                   as_json: bool) -> None:
    """A learner's lifelong record: enrolments, outcomes held, achievements."""

    async def work(db: AsyncSession, principal: Principal, _: TenantHooks) -> Any:
        return await record.lifelong_record(db, principal,
                                            await _learner(db, principal, student_number))

    def text(r: Any) -> None:
        click.echo(f"{r.learner.name} ({r.learner.student_number})")
        for e in r.enrolments:
            click.echo(f"  {e.term:<14} {e.course_code:<12} {e.status:<10} {e.grade or ''}")
        for h in r.holdings:
            click.echo(f"  holds {h.code} at level {h.level} since {h.achieved_on}")
        for a in r.achievements:
            click.echo(f"  {a.kind}: {a.title} ({a.issuer_name}, {a.issued_on})")

    _emit(_run(slug, as_email, work), as_json, text)


@education.command("recommend")
@click.argument("student_number")
@click.option("--program", "program_code", default=None, help="Target programme code.")
@click.option("--outcome", "outcome_codes", multiple=True, help="Target outcome code.")
@tenant_option
@as_option
@json_option
def recommend_command(student_number: str, program_code: str | None,
                      outcome_codes: tuple[str, ...], slug: str, as_email: str | None,
                      as_json: bool) -> None:
    """What to take towards a programme (or outcomes), and what to skip: never taught twice."""

    async def work(db: AsyncSession, principal: Principal, _: TenantHooks) -> Any:
        lid = await _learner(db, principal, student_number)
        program = (await _by_code(db, principal, Program, Program.code, program_code,
                                  "program") if program_code else None)
        outcomes = [await _by_code(db, principal, Outcome, Outcome.code, c, "outcome")
                    for c in outcome_codes]
        return await record.recommend(db, principal, lid, program=program,
                                      outcomes=outcomes or None)

    def text(r: Any) -> None:
        for p in r.take:
            click.echo(f"take  {p.code:<12} {p.reason}")
        for p in r.skip:
            click.echo(f"skip  {p.code:<12} {p.reason}")
        click.echo(f"credits saved: {r.credits_saved}")

    _emit(_run(slug, as_email, work), as_json, text)


@education.command("enrol")
@click.argument("student_number")
@click.argument("course_code")
@click.option("--term", required=True)
@tenant_option
@as_option
def enrol_command(student_number: str, course_code: str, term: str, slug: str,
                  as_email: str | None) -> None:
    """Enrol a learner in a course for a term."""

    async def work(db: AsyncSession, principal: Principal, hooks: TenantHooks) -> Any:
        lid = await _learner(db, principal, student_number)
        cid = await _by_code(db, principal, Course, Course.code, course_code, "course")
        enrolment, _ = await learners.enrol(db, principal, hooks, lid, EnrolmentIn(cid, term))
        return enrolment

    e = _run(slug, as_email, work)
    click.echo(f"enrolled: {e.id} (attempt {e.attempt})")


@education.command("result")
@click.argument("student_number")
@click.argument("course_code")
@click.argument("grade")
@tenant_option
@as_option
def result_command(student_number: str, course_code: str, grade: str, slug: str,
                   as_email: str | None) -> None:
    """Record the grade of a learner's open enrolment in a course."""

    async def work(db: AsyncSession, principal: Principal, hooks: TenantHooks) -> Any:
        lid = await _learner(db, principal, student_number)
        cid = await _by_code(db, principal, Course, Course.code, course_code, "course")
        open_ = [e for e in await learners.enrolments_of(db, principal.tenant_id, lid)
                 if e.course_id == cid and e.status == "enrolled"]
        if not open_:
            raise click.ClickException(f"{student_number} is not enrolled in {course_code}")
        enrolment, _ = await learners.record_result(db, principal, hooks, lid, open_[0].id,
                                                    ResultIn(grade))
        return enrolment

    e = _run(slug, as_email, work)
    click.echo(f"{course_code}: {e.status} ({e.grade})")


@education.command("courses")
@tenant_option
@as_option
@json_option
def courses_command(slug: str, as_email: str | None, as_json: bool) -> None:
    """The catalogue's courses with the outcomes each teaches."""

    async def work(db: AsyncSession, principal: Principal, _: TenantHooks) -> Any:
        page = await catalogue.list_courses(db, principal, None, 500)
        return await catalogue.courses_out(db, principal.tenant_id, page.items)

    def text(rows: Any) -> None:
        for c in rows:
            teaches = ", ".join(f"{t.code}@{t.level}" for t in c.outcomes)
            click.echo(f"{c.code:<12} {c.credits} {c.credit_unit}  {c.title}  [{teaches}]")

    _emit(_run(slug, as_email, work), as_json, text)


async def _licence(db: AsyncSession, principal: Principal, learner_id: uuid.UUID,
                   which: str) -> uuid.UUID:
    """A learner's licence by id or by exact name (one only)."""
    found = [x for x in await links.licences_of(db, principal, learner_id)
             if str(x.id) == which or x.name == which]
    if len(found) != 1:
        raise click.ClickException(f"no single licence {which!r} for this learner"
                                   if not found else f"{which!r} names several licences: "
                                                     "give its id")
    return found[0].id


@education.command("licences")
@click.argument("student_number")
@tenant_option
@as_option
@json_option
def licences_command(student_number: str, slug: str, as_email: str | None,
                     as_json: bool) -> None:
    """A learner's licences: earned since renewal, remaining, earlier periods."""

    async def work(db: AsyncSession, principal: Principal, _: TenantHooks) -> Any:
        return await links.licences_of(db, principal, await _learner(db, principal,
                                                                      student_number))

    def text(rows: Any) -> None:
        for x in rows:
            click.echo(f"{x.id}  {x.name}: {x.renewed_on} to {x.expires_on}, earned "
                       f"{x.earned:g} of {x.required:g} {x.unit}, {x.remaining:g} to go"
                       f"{'' if x.on_track else ' (overdue)'}; renewals: {len(x.renewals)}")

    _emit(_run(slug, as_email, work), as_json, text)


@education.command("renew")
@click.argument("student_number")
@click.argument("licence")
@click.option("--from", "renewed_on", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="The next period's first day.")
@click.option("--until", "expires_on", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="The next period's end.")
@click.option("--waive", is_flag=True, help="Renew although the requirement is not met.")
@click.option("--note", default=None, help="Why (required with --waive).")
@tenant_option
@as_option
def renew_command(student_number: str, licence: str, renewed_on: Any, expires_on: Any,
                  waive: bool, note: str | None, slug: str, as_email: str | None) -> None:
    """Renew a learner's licence (by id or name) for its next period."""

    async def work(db: AsyncSession, principal: Principal, hooks: TenantHooks) -> Any:
        lid = await _learner(db, principal, student_number)
        return await links.renew_licence(
            db, principal, hooks, lid, await _licence(db, principal, lid, licence),
            RenewIn(renewed_on.date(), expires_on.date(), waive, note))

    x = _run(slug, as_email, work)
    click.echo(f"{x.name}: renewed {x.renewed_on} to {x.expires_on} "
               f"({x.required:g} {x.unit} to earn)")


@education.command("export")
@click.argument("student_number")
@click.option("--format", "form", type=click.Choice(["jwt", "data-integrity"]),
              default="jwt", show_default=True, help="VC-JWT, or JSON with Data Integrity "
                                                     "proofs (eddsa-rdfc-2022).")
@click.option("--output", "-o", type=click.File("w"), default="-",
              help="Where to write the credential (default: standard output).")
@tenant_option
@as_option
def export_command(student_number: str, form: str, output: Any, slug: str,
                   as_email: str | None) -> None:
    """Issue the learner's record as a CLR 2.0 credential (the issuer's URLs are
    RAPPORT_BASE_URL's)."""
    settings = Settings.from_env()

    async def work(db: AsyncSession, principal: Principal, hooks: TenantHooks) -> Any:
        return await service.export_clr(db, principal, hooks, settings.secret_key,
                                        settings.base_url.rstrip("/"),
                                        await _learner(db, principal, student_number))

    _, token, _, proved = _run(slug, as_email, work)
    output.write(token + "\n" if form == "jwt"
                 else json.dumps(proved, ensure_ascii=False, indent=1) + "\n")


@education.command("import")
@click.argument("student_number")
@click.argument("credential", type=click.File("r"))
@tenant_option
@as_option
def import_command(student_number: str, credential: Any, slug: str,
                   as_email: str | None) -> None:
    """Verify a credential issued elsewhere (a VC-JWT or JSON file, ``-`` for standard
    input) and file its achievements for recognition; refused with the reason."""
    text = credential.read()

    async def work(db: AsyncSession, principal: Principal, hooks: TenantHooks) -> Any:
        return await service.import_credential(
            db, principal, hooks, await _learner(db, principal, student_number), text)

    for a in _run(slug, as_email, work):
        click.echo(f"{a.id}  {a.title} ({a.issuer_name}): {a.decision}, "
                   f"{len(a.alignments)} outcome(s)")
