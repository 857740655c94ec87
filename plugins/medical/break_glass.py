"""Break-glass: a clinician opens another clinic's patient without consent, in an
emergency, giving a reason. The database function ``medical_open_break_glass`` re-checks
the caller, writes a short grant and an opening row in the owner's name; every read under
it is flagged in the owner's audit log, and the owner's admins see each opening."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

import structlog
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import (
    Principal,
    SharingGrant,
    Tenant,
    audit,
    conflict,
    forbidden,
    invalid,
    not_found,
    revoke_grant,
)
from rapport_plugins.medical.chart import Chart, read_shared
from rapport_plugins.medical.consent_models import BreakGlass
from rapport_plugins.medical.consents import RULES
from rapport_plugins.medical.roles import CLINICIAN, DECIDERS

log = structlog.get_logger("rapport.medical")
T = BreakGlass.__table__.c
# SQLSTATE object_in_use: medical_open_break_glass() refuses to stack an opening on one
# still open, or to re-open within the hour after the owner revoked one.
OPEN_ALREADY = "55006"


async def open_record(
    session: AsyncSession, principal: Principal, *, organization: str, mrn: str,
    birth_date: date, reason: str, minutes: int,
) -> Chart:
    if principal.role != CLINICIAN:
        raise forbidden("Only clinicians may break the glass")
    owner = (
        await session.execute(
            select(Tenant).where(Tenant.slug == organization, Tenant.status == "active")
        )
    ).scalar_one_or_none()
    if owner is not None and owner.id == principal.tenant_id:
        raise invalid("organization", "your own patients need no break-glass")
    patient_id = None
    if owner is not None:
        try:
            patient_id = (
                await session.execute(
                    select(func.medical_open_break_glass(owner.id, mrn, birth_date,
                                                         reason.strip(), minutes))
                )
            ).scalar_one()
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != OPEN_ALREADY:
                raise
            log.warning("medical.break_glass.refused_open", tenant=str(principal.tenant_id),
                        user=str(principal.user_id), owner=str(owner.id))
            raise conflict("Break-glass for this patient is open already, or the clinic "
                           "revoked it within the hour") from exc
    if owner is None or patient_id is None:
        log.warning("medical.break_glass.no_match", tenant=str(principal.tenant_id),
                    user=str(principal.user_id), organization=organization)
        raise not_found("Patient")
    log.warning("medical.break_glass.opened", tenant=str(principal.tenant_id),
                user=str(principal.user_id), owner=str(owner.id), patient=str(patient_id))
    return await read_shared(session, principal, owner.id, patient_id)


async def openings(
    session: AsyncSession, principal: Principal, direction: Literal["incoming", "outgoing"],
    limit: int,
) -> list[dict[str, Any]]:
    """Incoming: other clinics' openings of our patients (the report to our admins).
    Outgoing: our clinicians' openings elsewhere."""
    if principal.role not in DECIDERS:
        raise forbidden("Only owners, admins and clinicians see break-glass openings")
    me = principal.tenant_id
    where = T.tenant_id == me if direction == "incoming" else T.opener_tenant_id == me
    g = SharingGrant.__table__.c
    # The grant says whether the opening still stands: the owner may revoke it early.
    rows = await session.execute(
        select(BreakGlass.__table__, func.now().label("now"), g.revoked_at)
        .outerjoin(SharingGrant.__table__, (g.tenant_id == T.tenant_id) & (g.id == T.grant_id))
        .where(where).order_by(T.id.desc()).limit(limit)
    )
    return [
        audit.jsonable({
            "id": r["id"], "owner_tenant_id": r["tenant_id"], "patient_id": r["patient_id"],
            "opener_tenant_id": r["opener_tenant_id"], "opened_by": r["opened_by"],
            "reason": r["reason"], "grant_id": r["grant_id"], "opened_at": r["created_at"],
            "expires_at": r["expires_at"], "revoked_at": r["revoked_at"],
            "active": r["revoked_at"] is None and r["now"] < r["expires_at"],
        })
        for r in rows.mappings()
    ]


def minutes_or_default(asked: int | None, default: int) -> int:
    return asked if asked is not None else default


async def with_clinics(session: AsyncSession,
                       items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The openings with the names of both clinics (the console lists them by name)."""
    ids = {uuid.UUID(str(i[k])) for i in items for k in ("owner_tenant_id", "opener_tenant_id")}
    names = {str(k): v for k, v in (await session.execute(
        select(Tenant.id, Tenant.name).where(Tenant.id.in_(ids))))} if ids else {}
    return [{**i, "owner_name": names.get(str(i["owner_tenant_id"]), ""),
             "opener_name": names.get(str(i["opener_tenant_id"]), "")} for i in items]


async def revoke(session: AsyncSession, principal: Principal, opening_id: uuid.UUID) -> None:
    """The owning clinic ends an opening now: its grant is revoked through the kernel's
    sharing service (the rule of ``POST /api/v1/sharing/grants/{id}/revoke``); the opener's
    next read is refused, and it may not re-open within the hour."""
    grant_id = await session.scalar(
        select(T.grant_id).where(T.tenant_id == principal.tenant_id, T.id == opening_id))
    if grant_id is None:
        raise not_found("Break-glass opening")
    await revoke_grant(session, principal, RULES, grant_id)
