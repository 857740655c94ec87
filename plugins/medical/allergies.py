"""Allergies (their own section) and the blood type (an observation, LOINC 882-1): still
given with the patient in the API (``allergies``, ``blood_type``), but stored and shared as
the clinical facts they are — so only roles and grants covering them ever see them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, audit, invalid
from rapport_plugins.medical import vocab
from rapport_plugins.medical.models import Allergy, Observation
from rapport_plugins.medical.roles import ALLERGIES, OBSERVATIONS, access_of, require_section
from rapport_plugins.medical.schemas import Allergy as AllergyIn
from rapport_plugins.medical.trail import log_access, snapshot


@dataclass(frozen=True)
class Facts:
    """What the caller may see of one patient's allergies and blood type (None: not
    theirs to see — different from "none recorded", which is ``[]`` / None)."""

    allergies: list[dict[str, Any]] | None
    blood_type: str | None


def visible_sections(principal: Principal) -> list[str]:
    """The sections behind ``allergies`` and ``blood_type`` that the role may read."""
    return [s for s in (ALLERGIES, OBSERVATIONS) if s in access_of(principal).read]


async def facts(
    session: AsyncSession, principal: Principal, patient_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Facts]:
    """Per patient, what the role may see (the caller logs the read)."""
    sections = visible_sections(principal)
    allergies: dict[uuid.UUID, list[dict[str, Any]]] = {p: [] for p in patient_ids}
    blood: dict[uuid.UUID, str] = {}
    if ALLERGIES in sections and patient_ids:
        rows = await session.execute(
            select(Allergy).where(Allergy.tenant_id == principal.tenant_id,
                                  Allergy.patient_id.in_(patient_ids))
            .order_by(Allergy.created_at, Allergy.id))
        for a in rows.scalars():
            allergies[a.patient_id].append(_allergy(a))
    if OBSERVATIONS in sections and patient_ids:
        # Oldest first, so the latest of each patient's (few) blood types wins.
        typed = await session.execute(
            select(Observation.patient_id, Observation.value_code)
            .where(Observation.tenant_id == principal.tenant_id,
                   Observation.patient_id.in_(patient_ids),
                   Observation.code == vocab.BLOOD_GROUP)
            .order_by(Observation.effective_at, Observation.id))
        blood = {p: code for p, code in typed.all() if code}
    return {p: Facts(allergies[p] if ALLERGIES in sections else None, blood.get(p))
            for p in patient_ids}


def _allergy(a: Allergy) -> dict[str, Any]:
    return {k: v for k, v in (("substance", a.substance), ("severity", a.severity),
                              ("reaction", a.reaction)) if v is not None}


def require_writable(principal: Principal, allergies: object, blood_type: object) -> None:
    """Before anything is written: 403 naming the section when the request brings
    allergies or a blood type the role may not record."""
    if allergies not in (msgspec.UNSET, None, []):
        require_section(principal, ALLERGIES, write=True)
    if blood_type not in (msgspec.UNSET, None):
        require_section(principal, OBSERVATIONS, write=True)


async def replace_allergies(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID,
    wanted: Sequence[AllergyIn],
) -> None:
    """Make the patient's allergy list ``wanted``: unchanged allergies keep their rows
    (and ids), removed ones go, new ones are recorded; audited when anything changed."""
    require_section(principal, ALLERGIES, write=True)
    current = list((await session.execute(select(Allergy).where(
        Allergy.tenant_id == principal.tenant_id, Allergy.patient_id == patient_id)
        .order_by(Allergy.created_at, Allergy.id))).scalars())
    wanted_rows = [{k: v for k, v in msgspec.structs.asdict(a).items() if v is not None}
                   for a in wanted]
    keep = [a for a in current if _allergy(a) in wanted_rows]
    gone = [a.id for a in current if a not in keep]
    kept = [_allergy(a) for a in keep]
    new = [w for w in wanted_rows if w not in kept]
    if not gone and not new:
        return
    if gone:
        await session.execute(delete(Allergy).where(
            Allergy.tenant_id == principal.tenant_id, Allergy.id.in_(gone)))
    for row in new:
        session.add(Allergy(tenant_id=principal.tenant_id, patient_id=patient_id,
                            recorded_by=principal.user_id, **row))
    await session.flush()
    await log_access(session, principal, patient_id, audit.UPDATE, [ALLERGIES],
                     changes=audit.diff(snapshot({"allergies": [_allergy(a) for a in current]},
                                                 ALLERGIES),
                                        snapshot({"allergies": kept + new}, ALLERGIES)))


async def record_blood_type(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID, blood_type: str | None
) -> None:
    """A new blood-group observation (earlier ones stay: observations are never edited);
    none when it equals the latest. Unsetting is refused: record the corrected type."""
    if blood_type is None:
        raise invalid("blood_type", "cannot be unset: record the corrected blood type")
    require_section(principal, OBSERVATIONS, write=True)
    latest = await facts(session, principal, [patient_id])
    if latest[patient_id].blood_type == blood_type:
        return
    observation = Observation(
        tenant_id=principal.tenant_id, patient_id=patient_id, code=vocab.BLOOD_GROUP,
        value_code=blood_type, effective_at=(await session.execute(select(func.now())))
        .scalar_one(), recorded_by=principal.user_id)
    session.add(observation)
    await session.flush()
    await log_access(session, principal, patient_id, audit.CREATE, [OBSERVATIONS],
                     changes=audit.diff({}, snapshot({"code": vocab.BLOOD_GROUP,
                                                      "value_code": blood_type}, OBSERVATIONS)),
                     entry=observation.id)
