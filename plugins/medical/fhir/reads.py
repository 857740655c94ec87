"""What a federation peer may read: only patients and sections covered right now by a
consent given to that peer. Every read is audited in the owning clinic's log."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, Tenant, audit, not_found
from rapport_plugins.medical.consent_models import Consent
from rapport_plugins.medical.fhir import mapping, results
from rapport_plugins.medical.fhir.resources import KINDS, SECTION_KIND, Kind
from rapport_plugins.medical.roles import DEMOGRAPHICS, SECTIONS
from rapport_plugins.medical.sections import TABLES, read_rows
from rapport_plugins.medical.trail import log_access

Resource = dict[str, Any]


def _active(principal: Principal) -> Any:
    return select(Consent).where(
        Consent.tenant_id == principal.tenant_id,
        Consent.peer_id == principal.user_id,
        Consent.revoked_at.is_(None),
        Consent.starts_at <= func.now(),
        Consent.expires_at > func.now(),
    )


async def covered(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID
) -> dict[str, str]:
    """Section → purpose of the consents admitting this peer to the patient now."""
    rows = (await session.execute(
        _active(principal).where(Consent.patient_id == patient_id))).scalars()
    return {s: c.purpose for c in rows for s in c.sections}


async def consented(
    session: AsyncSession, principal: Principal, section: str
) -> dict[uuid.UUID, str]:
    """Patient → purpose, for every patient whose ``section`` this peer may read now."""
    rows = (await session.execute(
        _active(principal).where(Consent.sections.any_() == section)
        .order_by(Consent.patient_id))).scalars()
    return {c.patient_id: c.purpose for c in rows}


async def admit(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID, sections: Sequence[str]
) -> dict[str, str]:
    """404 (same as an unknown patient) unless a consent covers every section asked;
    then one audit entry for the read."""
    purposes = await covered(session, principal, patient_id)
    if not sections or any(s not in purposes for s in sections):
        raise not_found("Patient")
    await _log(session, principal, patient_id, sections, purposes)
    return purposes


async def _log(session: AsyncSession, principal: Principal, patient_id: uuid.UUID,
               sections: Iterable[str], purposes: dict[str, str]) -> None:
    sections = list(sections)
    await log_access(session, principal, patient_id, audit.READ, sections,
                     purpose="; ".join(sorted({purposes[s] for s in sections})),
                     via="federation", peer=principal.full_name)


def _map(owner: uuid.UUID, section: str, row: Any) -> Resource:
    if section == DEMOGRAPHICS:
        return mapping.patient(owner, row)
    return mapping.SECTION_MAPPERS[section](row)


async def resources(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID, section: str
) -> list[Resource]:
    """One section's rows as resources of the section's type."""
    rows = await read_rows(session, principal.tenant_id, patient_id, section)
    return [_map(principal.tenant_id, section, row) for row in rows]


async def candidates(
    session: AsyncSession, principal: Principal, kind: Kind, patients: set[str] | None
) -> list[Resource]:
    """Every resource of this type the peer may read now, narrowed to ``patients``
    when the search names them (ids that are not UUIDs match nothing)."""
    if kind.section is None:
        return await consents_for_peer(session, principal, None)
    allowed = await consented(session, principal, kind.section)
    wanted = {p for p in allowed if patients is None or str(p) in patients}
    out: list[Resource] = []
    for patient_id in sorted(wanted):
        out.extend(await resources(session, principal, patient_id, kind.section))
    return out


async def log_search(session: AsyncSession, principal: Principal, kind: Kind,
                     found: Iterable[Resource]) -> None:
    """One audit entry per patient whose resources a search answers with."""
    if kind.section is None:
        return
    patients = sorted({_patient_of(r) for r in found})
    if not patients:
        return
    allowed = await consented(session, principal, kind.section)
    for patient_id in patients:
        await _log(session, principal, patient_id, [kind.section],
                   {kind.section: allowed[patient_id]})


async def included(
    session: AsyncSession, principal: Principal, page: list[Resource], shape: results.Shape
) -> list[Resource]:
    """What ``_include``/``_revinclude`` add to a page: only resources this peer may
    read now (the same consents as any search), each once, each patient's read audited."""
    if not page or not (shape.includes or shape.revincludes):
        return []
    patients = {str(_patient_of(r)) for r in page}
    found: list[Resource] = []
    for link in shape.includes:
        ids = results.referenced(page, link)
        target = KINDS[link.target]
        if ids:
            found.extend(r for r in await candidates(session, principal, target, patients)
                         if r["id"] in ids)
    for link in shape.revincludes:
        pool = await candidates(session, principal, link.source, patients)
        found.extend(results.pointing_at(pool, link, {r["id"] for r in page}))
    extra = results.unique(found, page)
    for kind in {KINDS[r["resourceType"]] for r in extra}:
        await log_search(session, principal, kind,
                         [r for r in extra if r["resourceType"] == kind.name])
    return extra


def _patient_of(resource: Resource) -> uuid.UUID:
    if resource["resourceType"] == "Patient":
        return uuid.UUID(resource["id"])
    ref = resource.get("subject") or resource["patient"]
    return uuid.UUID(ref["reference"].removeprefix("Patient/"))


async def read_one(
    session: AsyncSession, principal: Principal, kind: Kind, resource_id: uuid.UUID
) -> Resource:
    """One resource by id: 404 unless a consent to this peer covers it now."""
    if kind.section is None:
        found = [c for c in await consents_for_peer(session, principal, None)
                 if c["id"] == str(resource_id)]
        if not found:
            raise not_found(kind.name)
        return found[0]
    table = TABLES[kind.section]
    key = table.c.id if kind.section == DEMOGRAPHICS else table.c.patient_id
    patient_id = (await session.execute(
        select(key).where(table.c.tenant_id == principal.tenant_id, table.c.id == resource_id)
    )).scalar_one_or_none()
    if patient_id is None:
        raise not_found(kind.name)
    await admit(session, principal, patient_id, [kind.section])
    rows = await read_rows(session, principal.tenant_id, patient_id, kind.section)
    return next(_map(principal.tenant_id, kind.section, r) for r in rows
                if r["id"] == resource_id)


async def everything(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID,
    kinds: Iterable[str],
) -> list[Resource]:
    """Every section the peer's consents cover and its scopes let it read (``kinds``),
    plus those consents."""
    wanted = set(kinds)
    cover = await covered(session, principal, patient_id)
    granted = [s for s in SECTIONS if s in cover and SECTION_KIND[s] in wanted]
    await admit(session, principal, patient_id, granted)
    out: list[Resource] = []
    for section in granted:
        out.extend(await resources(session, principal, patient_id, section))
    if "Consent" in wanted:
        out.extend(await consents_for_peer(session, principal, patient_id))
    return out


async def consents_for_peer(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID | None
) -> list[Resource]:
    """The consents given to this peer (for one patient, or all), active or not."""
    query = select(Consent, func.now()).where(
        Consent.tenant_id == principal.tenant_id, Consent.peer_id == principal.user_id)
    if patient_id is not None:
        query = query.where(Consent.patient_id == patient_id)
    rows = (await session.execute(query.order_by(Consent.id))).all()
    grantor = await session.get(Tenant, principal.tenant_id)
    assert grantor is not None
    return [
        mapping.consent(
            {c: getattr(consent, c) for c in (
                "id", "patient_id", "created_at", "evidence", "purpose", "starts_at",
                "expires_at", "sections", "revoked_at")},
            grantor.name, principal.full_name,
            active=consent.revoked_at is None and consent.starts_at <= now < consent.expires_at,
        )
        for consent, now in rows
    ]
