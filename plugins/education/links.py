"""Typed links between our outcomes and other frameworks' (exact match, related, part of,
replaced by; with the target's version), and continuing-education licences."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, TenantHooks, audit, conflict, emit, invalid, not_found
from rapport_plugins.education.catalogue import find_outcome
from rapport_plugins.education.learners import find_learner
from rapport_plugins.education.models import (
    Achievement,
    Course,
    Enrolment,
    Licence,
    Outcome,
    OutcomeLink,
)
from rapport_plugins.education.roles import require_registrar
from rapport_plugins.education.schemas import (
    LicenceIn,
    LicenceOut,
    LinkIn,
    LinkOut,
    RenewalOut,
    RenewIn,
)

LICENCE_RENEWED = "education.licence_renewed"

# Relations strong enough to recognise prior learning without a registrar's judgement.
EXACT = frozenset({"framework_uri", "exact", "replaced_by"})


def link_out(link: OutcomeLink) -> LinkOut:
    return LinkOut(link.id, link.outcome_id, link.target_uri, link.relation,
                   link.target_version)


async def add_link(db: AsyncSession, principal: Principal, outcome_id: uuid.UUID,
                   data: LinkIn) -> OutcomeLink:
    require_registrar(principal)
    outcome = await find_outcome(db, principal, outcome_id)
    link = OutcomeLink(tenant_id=principal.tenant_id, outcome_id=outcome.id,
                       target_uri=data.target_uri, relation=data.relation,
                       target_version=data.target_version)
    db.add(link)
    await db.flush()
    await audit.record(db, principal, audit.UPDATE, "education.outcome", outcome.id,
                       detail={"link": data.target_uri, "relation": data.relation})
    return link


async def links_of(db: AsyncSession, principal: Principal,
                   outcome_id: uuid.UUID) -> list[OutcomeLink]:
    outcome = await find_outcome(db, principal, outcome_id)
    return list((await db.execute(select(OutcomeLink).where(
        OutcomeLink.tenant_id == principal.tenant_id, OutcomeLink.outcome_id == outcome.id)
        .order_by(OutcomeLink.created_at))).scalars())


async def matcher(db: AsyncSession, tenant_id: uuid.UUID) -> dict[str, tuple[Outcome, str]]:
    """Target URI → (our outcome, how it matches): our own framework URIs first, then
    exact and replaced-by links, then related and part-of ones."""
    found: dict[str, tuple[Outcome, str]] = {}
    rank = {"exact": 1, "replaced_by": 1, "related": 2, "part_of": 2}
    rows = (await db.execute(select(OutcomeLink, Outcome).join(
        Outcome, (Outcome.tenant_id == OutcomeLink.tenant_id)
        & (Outcome.id == OutcomeLink.outcome_id)).where(
        OutcomeLink.tenant_id == tenant_id))).all()
    for link, outcome in sorted(rows, key=lambda r: -rank[r[0].relation]):
        found[link.target_uri] = (outcome, link.relation)
    for outcome in (await db.execute(select(Outcome).where(
            Outcome.tenant_id == tenant_id, Outcome.framework_uri.is_not(None)))).scalars():
        if outcome.framework_uri:
            found[outcome.framework_uri] = (outcome, "framework_uri")
    return found


async def add_licence(db: AsyncSession, principal: Principal, learner_id: uuid.UUID,
                      data: LicenceIn) -> Licence:
    require_registrar(principal)
    learner, _ = await find_learner(db, principal, learner_id)
    if data.expires_on <= data.renewed_on:
        raise invalid("expires_on", "must be after renewed_on")
    licence = Licence(tenant_id=principal.tenant_id, learner_id=learner.id, name=data.name,
                      authority=data.authority, number=data.number,
                      renewed_on=data.renewed_on, expires_on=data.expires_on,
                      required=Decimal(str(round(data.required, 1))), unit=data.unit)
    db.add(licence)
    await db.flush()
    return licence


async def licences_of(db: AsyncSession, principal: Principal,
                      learner_id: uuid.UUID) -> list[LicenceOut]:
    """Each licence with the hours (or CEUs, credits) earned here since its last renewal:
    completed courses counted in the licence's unit."""
    learner, _ = await find_learner(db, principal, learner_id)
    out = []
    for lic in (await db.execute(select(Licence).where(
            Licence.tenant_id == principal.tenant_id, Licence.learner_id == learner.id)
            .order_by(Licence.expires_on))).scalars():
        earned = (await db.execute(
            select(func.coalesce(func.sum(Course.credits), 0))
            .select_from(Enrolment)
            .join(Course, (Course.tenant_id == Enrolment.tenant_id)
                  & (Course.id == Enrolment.course_id))
            .where(Enrolment.tenant_id == principal.tenant_id,
                   Enrolment.learner_id == learner.id, Enrolment.status == "completed",
                   Course.credit_unit == lic.unit,
                   Enrolment.completed_on >= lic.renewed_on,
                   Enrolment.completed_on <= lic.expires_on))).scalar_one()
        # Recognised elsewhere: accepted imports counted in the licence's unit, awarded
        # within the period.
        elsewhere = (await db.execute(
            select(func.coalesce(func.sum(Achievement.credits), 0))
            .where(Achievement.tenant_id == principal.tenant_id,
                   Achievement.learner_id == learner.id, Achievement.imported.is_(True),
                   Achievement.decision == "accepted", Achievement.credit_unit == lic.unit,
                   Achievement.issued_on >= lic.renewed_on,
                   Achievement.issued_on <= lic.expires_on))).scalar_one()
        earned = Decimal(earned) + Decimal(elsewhere or 0)
        remaining = max(Decimal(0), lic.required - Decimal(earned))
        out.append(LicenceOut(lic.id, lic.name, lic.authority, lic.number, lic.renewed_on,
                              lic.expires_on, float(lic.required), lic.unit, float(earned),
                              float(remaining),
                              remaining == 0 or lic.expires_on > date.today(),
                              [RenewalOut(date.fromisoformat(r["renewed_on"]),
                                          date.fromisoformat(r["expires_on"]),
                                          r["required"], r["earned"], r["waived"], r["note"])
                               for r in lic.renewals or []]))
    return out


async def renew_licence(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                        learner_id: uuid.UUID, licence_id: uuid.UUID,
                        data: RenewIn) -> LicenceOut:
    """Start the licence's next period once the current one's requirement is met (409
    naming the shortfall otherwise, unless waived with a note); the period that ends is
    kept in ``renewals``; audited, ``education.licence_renewed``."""
    require_registrar(principal)
    learner, _ = await find_learner(db, principal, learner_id)
    lic = (await db.execute(select(Licence).where(
        Licence.tenant_id == principal.tenant_id, Licence.learner_id == learner.id,
        Licence.id == licence_id).with_for_update())).scalar_one_or_none()
    if lic is None:
        raise not_found("Licence")
    if data.renewed_on <= lic.renewed_on:
        raise invalid("renewed_on", f"must be after the current period's start "
                                    f"({lic.renewed_on.isoformat()})")
    if data.expires_on <= data.renewed_on:
        raise invalid("expires_on", "must be after renewed_on")
    if data.waive and not data.note:
        raise invalid("note", "a waived requirement needs a note saying why")
    current = next(x for x in await licences_of(db, principal, learner.id)
                   if x.id == lic.id)
    if current.remaining > 0 and not data.waive:
        raise conflict(f"The requirement is not met: {current.remaining:g} {lic.unit} of "
                       f"{current.required:g} still to earn before renewal (or waive it)")
    period = {"renewed_on": lic.renewed_on.isoformat(),
              "expires_on": lic.expires_on.isoformat(), "required": current.required,
              "earned": current.earned, "waived": bool(data.waive and current.remaining > 0),
              "note": data.note}
    lic.renewals = [*(lic.renewals or []), period]
    lic.renewed_on, lic.expires_on = data.renewed_on, data.expires_on
    await db.flush()
    detail = {"licence": str(lic.id), "period": period,
              "next": [data.renewed_on.isoformat(), data.expires_on.isoformat()]}
    await audit.record(db, principal, audit.UPDATE, "education.learner", learner.id,
                       detail=detail)
    await emit(db, principal, hooks, LICENCE_RENEWED, "education.learner", learner.id, detail)
    return next(x for x in await licences_of(db, principal, learner.id) if x.id == lic.id)
