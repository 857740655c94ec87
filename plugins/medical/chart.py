"""A patient's chart: the sections the caller may see, from its own clinic or from a
clinic that granted access (consent or break-glass). Every read is audited per section."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, SharingGrant, audit, forbidden, not_found, open_shared_record
from rapport_plugins.medical.patients import find_patient
from rapport_plugins.medical.roles import (
    APPOINTMENTS,
    ENCOUNTERS,
    PATIENT_RULE,
    RECORD_TYPE,
    SECTIONS,
    access_of,
)
from rapport_plugins.medical.sections import read_sections
from rapport_plugins.medical.trail import log_access

BREAK_GLASS_PURPOSE = "break-glass"


@dataclass(frozen=True)
class Chart:
    owner_tenant_id: uuid.UUID
    patient_id: uuid.UUID
    sections: dict[str, list[dict[str, Any]]]
    break_glass: bool = False


def _views(principal: Principal, wanted: Sequence[str] | None) -> list[str]:
    """Which views of the record to read: a section, or ``appointments`` where the role
    sees only that much of the encounters. Asking for a section the role may not see is
    a 403; by default the caller gets everything its role allows."""
    allowed = access_of(principal).read
    views: list[str] = []
    for section in wanted or SECTIONS:
        if section in allowed:
            views.append(section)
        elif section == ENCOUNTERS and APPOINTMENTS in allowed:
            views.append(APPOINTMENTS)
        elif wanted:
            raise forbidden(
                f"Role '{principal.role}' may not see {section} of a patient record"
            )
    if not views:
        raise forbidden(f"Role '{principal.role}' may not see patient records")
    return list(dict.fromkeys(views))


def _grant_section(view: str) -> str:
    return ENCOUNTERS if view == APPOINTMENTS else view


async def read_own(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID,
    wanted: Sequence[str] | None = None,
) -> Chart:
    views = _views(principal, wanted)
    patient = await find_patient(session, principal, patient_id)
    data = await read_sections(session, principal.tenant_id, patient.id, views)
    await log_access(session, principal, patient.id, audit.READ, views)
    return Chart(principal.tenant_id, patient.id, data)


async def active_grants(
    session: AsyncSession, principal: Principal, owner: uuid.UUID, patient_id: uuid.UUID
) -> list[tuple[list[str], str]]:
    """(sections, purpose) of each grant that admits the caller's tenant right now."""
    g = SharingGrant
    rows = await session.execute(
        select(g.sections, g.purpose).where(
            g.tenant_id == owner,
            g.grantee_tenant_id == principal.tenant_id,
            g.record_type == RECORD_TYPE,
            g.record_id == patient_id,
            g.revoked_at.is_(None),
            g.starts_at <= func.now(),
            g.expires_at > func.now(),
        )
    )
    return [(list(sections), purpose) for sections, purpose in rows]


async def read_shared(
    session: AsyncSession, principal: Principal, owner: uuid.UUID, patient_id: uuid.UUID,
    wanted: Sequence[str] | None = None,
) -> Chart:
    """Another clinic's patient, read-only, the granted sections only. Sections outside
    every active grant are absent (asked for by name: 404); no grant at all: 404."""
    if owner == principal.tenant_id:
        return await read_own(session, principal, patient_id, wanted)
    views = _views(principal, wanted)
    grants = await active_grants(session, principal, owner, patient_id)
    purposes = {s: purpose for sections, purpose in grants for s in sections}
    covered = [v for v in views if _grant_section(v) in purposes]
    if not covered or (wanted and len(covered) < len(views)):
        raise not_found(f"Shared {RECORD_TYPE}")
    for view in covered:
        purpose = purposes[_grant_section(view)]
        await open_shared_record(
            session, principal, PATIENT_RULE, owner, patient_id, _grant_section(view),
            detail={"patient": str(patient_id), "sections": [view], "purpose": purpose,
                    "via": "shared", "break_glass": purpose == BREAK_GLASS_PURPOSE},
        )
    data = await read_sections(session, owner, patient_id, covered, shared=True)
    glass = any(purposes[_grant_section(v)] == BREAK_GLASS_PURPOSE for v in covered)
    return Chart(owner, patient_id, data, break_glass=glass)
