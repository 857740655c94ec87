"""Consent grants: the patient lets another clinic read sections of the record.

A clinic on this deployment gets a kernel sharing grant (what RLS enforces) mirrored by a
``Consent`` row holding the evidence; a federation peer gets the ``Consent`` row alone,
checked on each of its requests. Both end on revocation or expiry, on the next request.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import (
    Principal,
    SharingGrant,
    Tenant,
    audit,
    conflict,
    create_grant,
    invalid,
    new_id,
    not_found,
    revoke_grant,
)
from rapport_plugins.medical.consent_models import Consent
from rapport_plugins.medical.federation.models import FederationPeer
from rapport_plugins.medical.patients import find_patient
from rapport_plugins.medical.roles import PATIENT_RULE, RECORD_TYPE, require_decider

RULES = {RECORD_TYPE: PATIENT_RULE}
CLOCK_SKEW = timedelta(minutes=5)
State = Literal["active", "scheduled", "expired", "revoked"]


@dataclass(frozen=True)
class ConsentView:
    consent: Mapping[str, Any]  # the row, read through Core (the grantee reads it too)
    state: State
    grantor: Tenant
    grantee: Tenant | None
    peer_name: str | None


def aware(field: str, value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise invalid(field, "needs a UTC offset (e.g. 2030-01-01T00:00:00Z)")
    return value


async def _now(session: AsyncSession) -> datetime:
    now: datetime = (await session.execute(select(func.now()))).scalar_one()
    return now


def _state(row: Mapping[str, Any]) -> State:
    if row["revoked_at"] is not None or row["grant_revoked_at"] is not None:
        return "revoked"
    if row["now"] >= row["expires_at"]:
        return "expired"
    return "scheduled" if row["now"] < row["starts_at"] else "active"


async def _load(
    session: AsyncSession, viewer: uuid.UUID, consent_id: uuid.UUID
) -> ConsentView | None:
    # Core, not the ORM entity: the session's tenant filter would hide the grantee's view.
    c, g, p = (Consent.__table__, SharingGrant.__table__, FederationPeer.__table__)
    joined = c.outerjoin(g, (g.c.tenant_id == c.c.tenant_id) & (g.c.id == c.c.grant_id)).outerjoin(
        p, (p.c.tenant_id == c.c.tenant_id) & (p.c.id == c.c.peer_id)
    )
    row = (
        (
            await session.execute(
                select(c, g.c.revoked_at.label("grant_revoked_at"),
                       p.c.name.label("peer_name"), func.now().label("now"))
                .select_from(joined)
                .where(c.c.id == consent_id,
                       (c.c.tenant_id == viewer) | (c.c.grantee_tenant_id == viewer))
            )
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        return None
    grantor = await session.get(Tenant, row["tenant_id"])
    assert grantor is not None
    grantee = None
    if row["grantee_tenant_id"] is not None:
        grantee = await session.get(Tenant, row["grantee_tenant_id"])
    found = dict(row)
    return ConsentView(found, _state(found), grantor, grantee, found["peer_name"])


async def view(session: AsyncSession, principal: Principal, consent_id: uuid.UUID) -> ConsentView:
    """A consent the caller's clinic gave or received; 404 for anyone else's."""
    found = await _load(session, principal.tenant_id, consent_id)
    if found is None:
        raise not_found("Consent")
    return found


async def for_patient(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID
) -> list[ConsentView]:
    require_decider(principal)
    patient = await find_patient(session, principal, patient_id)
    ids = (
        await session.execute(
            select(Consent.id)
            .where(Consent.tenant_id == principal.tenant_id, Consent.patient_id == patient.id)
            .order_by(Consent.id.desc())
            .limit(200)
        )
    ).scalars()
    return [await view(session, principal, i) for i in list(ids)]


async def listing(
    session: AsyncSession, principal: Principal, direction: Literal["given", "received"],
    limit: int = 50,
) -> list[ConsentView]:
    """Newest first: consents the clinic gave (its patients, any grantee) or received from
    other clinics. Decided by the same people who decide on access requests."""
    require_decider(principal)
    c = Consent.__table__.c
    mine = c.tenant_id if direction == "given" else c.grantee_tenant_id
    ids = (await session.execute(
        select(c.id).where(mine == principal.tenant_id).order_by(c.id.desc()).limit(limit)
    )).scalars()
    return [await view(session, principal, i) for i in list(ids)]


async def inbound_peer(
    session: AsyncSession, principal: Principal, peer_id: uuid.UUID
) -> FederationPeer:
    peer = (
        await session.execute(
            select(FederationPeer).where(
                FederationPeer.tenant_id == principal.tenant_id,
                FederationPeer.id == peer_id,
                FederationPeer.direction == "inbound",
                FederationPeer.removed_at.is_(None),
            )
        )
    ).scalar_one_or_none()
    if peer is None:
        raise invalid("peer_id", "no inbound federation peer of yours has this id")
    return peer


async def grant(
    session: AsyncSession,
    principal: Principal,
    patient_id: uuid.UUID,
    *,
    sections: list[str],
    purpose: str,
    evidence: str,
    expires_at: datetime,
    starts_at: datetime | None = None,
    organization: str | None = None,
    peer_id: uuid.UUID | None = None,
    access_request_id: uuid.UUID | None = None,
) -> Consent:
    """Record the patient's consent; ``organization`` (slug) or ``peer_id``, not both."""
    require_decider(principal)
    aware("expires_at", expires_at)
    aware("starts_at", starts_at)
    if (organization is None) == (peer_id is None):
        raise invalid("organization", "name either the organization or the federation peer_id")
    if not evidence.strip():
        raise invalid("evidence", "record how the patient consented")
    patient = await find_patient(session, principal, patient_id)
    sections = list(dict.fromkeys(sections))
    consent = Consent(
        tenant_id=principal.tenant_id, id=new_id(), patient_id=patient.id,
        access_request_id=access_request_id, sections=sections, purpose=purpose.strip(),
        evidence=evidence.strip(), granted_by=principal.user_id,
    )
    if organization is not None:
        shared = await create_grant(
            session, principal, RULES, grantee_tenant=organization, record_type=RECORD_TYPE,
            record_id=patient.id, sections=sections, purpose=purpose, expires_at=expires_at,
            starts_at=starts_at, evidence=evidence,
        )
        consent.grant_id = shared.grant.id
        consent.grantee_tenant_id = shared.grantee.id
        consent.starts_at, consent.expires_at = shared.grant.starts_at, shared.grant.expires_at
    else:
        assert peer_id is not None
        peer = await inbound_peer(session, principal, peer_id)
        now = await _now(session)
        start = starts_at or now
        if start < now - CLOCK_SKEW:
            raise invalid("starts_at", "must not be in the past")
        if expires_at <= start:
            raise invalid("expires_at", "must be after starts_at")
        consent.peer_id, consent.starts_at, consent.expires_at = peer.id, start, expires_at
        await audit.record(
            session, principal, audit.SHARE, RECORD_TYPE, patient.id,
            detail={"patient": patient.id, "sections": sections, "purpose": consent.purpose,
                    "consent_id": consent.id, "peer": peer.name, "via": "federation",
                    "expires_at": expires_at},
        )
    session.add(consent)
    await session.flush()
    return consent


async def end(session: AsyncSession, principal: Principal, consent: Consent) -> None:
    """Revoke now: the kernel grant (if any) and the consent, in this transaction."""
    if consent.revoked_at is not None:
        raise conflict("This consent is already revoked")
    if consent.grant_id is not None:
        revoked = (
            await session.execute(
                select(SharingGrant.revoked_at).where(
                    SharingGrant.tenant_id == consent.tenant_id,
                    SharingGrant.id == consent.grant_id,
                )
            )
        ).scalar_one()
        if revoked is None:
            await revoke_grant(session, principal, RULES, consent.grant_id)
    else:
        await audit.record(
            session, principal, audit.REVOKE, RECORD_TYPE, consent.patient_id,
            detail={"patient": consent.patient_id, "consent_id": consent.id,
                    "via": "federation"},
        )
    await session.execute(
        update(Consent)
        .where(Consent.tenant_id == principal.tenant_id, Consent.id == consent.id)
        .values(revoked_at=func.now(), revoked_by=principal.user_id)
        .execution_options(synchronize_session=False)
    )


async def own(session: AsyncSession, principal: Principal, consent_id: uuid.UUID) -> Consent:
    consent = (
        await session.execute(
            select(Consent)
            .where(Consent.tenant_id == principal.tenant_id, Consent.id == consent_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if consent is None:
        raise not_found("Consent")
    return consent


def as_dict(v: ConsentView) -> dict[str, Any]:
    c = v.consent
    keys = ("id", "patient_id", "sections", "purpose", "evidence", "granted_by", "starts_at",
            "expires_at", "revoked_at", "grant_id", "access_request_id")
    return audit.jsonable({
        **{k: c[k] for k in keys}, "state": v.state,
        "grantor": {"id": v.grantor.id, "slug": v.grantor.slug, "name": v.grantor.name},
        "grantee": None if v.grantee is None else {
            "id": v.grantee.id, "slug": v.grantee.slug, "name": v.grantee.name},
        "peer": None if c["peer_id"] is None else {"id": c["peer_id"], "name": v.peer_name},
    })
