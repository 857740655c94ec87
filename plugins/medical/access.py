"""Access requests between clinics: B asks A for a patient named by medical record
number and date of birth; A approves (a consent grant follows) or denies; A may later
revoke. The kernel workflow ``medical.access_request`` guards and records each step.

B files the request straight into A's inbox (``requester_files`` policy). Its answer is
the same whether or not the MRN and birth date match anyone: only A's decision tells.
The workflow instance lives in A's tenant and starts at A's first decision, because B's
transaction cannot write A's workflow rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import (
    Condition,
    Principal,
    RapportError,
    State,
    Tenant,
    Transition,
    TransitionContext,
    Workflow,
    audit,
    conflict,
    fire,
    get_instance,
    invalid,
    new_id,
    not_found,
    start,
)
from rapport_plugins.medical import consents
from rapport_plugins.medical.consent_models import AccessRequest, Consent
from rapport_plugins.medical.models import Patient
from rapport_plugins.medical.roles import DECIDERS, require_decider

RECORD = "medical.access_request"
Direction = Literal["incoming", "outgoing"]
T = AccessRequest.__table__.c


async def _decide(ctx: TransitionContext, **values: Any) -> None:
    await ctx.session.execute(
        update(AccessRequest)
        .where(AccessRequest.tenant_id == ctx.principal.tenant_id,
               AccessRequest.id == ctx.instance.record_id)
        .values(state=ctx.to_state, decision_note=ctx.note, **values)
        .execution_options(synchronize_session=False)
    )


async def _approve(ctx: TransitionContext) -> None:
    f = ctx.record_fields
    consent = await consents.grant(
        ctx.session, ctx.principal, f["patient_id"], sections=list(f["sections"]),
        purpose=f["purpose"], evidence=f["evidence"], expires_at=f["expires_at"],
        organization=f["requester_slug"], access_request_id=ctx.instance.record_id,
    )
    await _decide(ctx, patient_id=f["patient_id"], consent_id=consent.id,
                  decided_by=ctx.principal.user_id, decided_at=func.now())


async def _deny(ctx: TransitionContext) -> None:
    await _decide(ctx, decided_by=ctx.principal.user_id, decided_at=func.now())


async def _revoke(ctx: TransitionContext) -> None:
    consent_id = ctx.record_fields.get("consent_id")
    if consent_id is not None:
        consent = await consents.own(ctx.session, ctx.principal, consent_id)
        if consent.revoked_at is None:
            await consents.end(ctx.session, ctx.principal, consent)
    await _decide(ctx)


async def _load_fields(
    session: Any, principal: Principal, record_id: uuid.UUID
) -> Mapping[str, Any] | None:
    """The generic workflow door's snapshot: without evidence an approval cannot pass
    there; approvals go through ``POST …/access-requests/{id}/approve``."""
    row = (
        await session.execute(
            select(T.state, T.consent_id).where(
                T.tenant_id == principal.tenant_id, T.id == record_id
            )
        )
    ).one_or_none()
    return None if row is None else {"state": row.state, "consent_id": row.consent_id}


ACCESS_REQUEST = Workflow(
    name=RECORD,
    title="Access to a patient record",
    entity=RECORD,
    states=(
        State("requested", "Requested"),
        State("approved", "Approved"),
        State("denied", "Denied", terminal=True),
        State("revoked", "Revoked", terminal=True),
    ),
    transitions=(
        Transition("approve", "Approve", ("requested",), "approved", roles=DECIDERS,
                   conditions=(Condition("evidence", "present"),
                               Condition("patient_id", "present")),
                   actions=(_approve,)),
        Transition("deny", "Deny", ("requested",), "denied", roles=DECIDERS,
                   actions=(_deny,)),
        Transition("revoke", "Revoke", ("approved",), "revoked", roles=DECIDERS,
                   actions=(_revoke,)),
    ),
    initial="requested",
    load_fields=_load_fields,
)


async def _organization(session: AsyncSession, principal: Principal, slug: str) -> Tenant:
    tenant = (
        await session.execute(select(Tenant).where(Tenant.slug == slug, Tenant.status == "active"))
    ).scalar_one_or_none()
    if tenant is None:
        raise invalid("organization", "no active organization has this slug")
    if tenant.id == principal.tenant_id:
        raise invalid("organization", "your own patients need no access request")
    return tenant


async def file(
    session: AsyncSession, principal: Principal, *, organization: str, mrn: str,
    birth_date: date, sections: list[str], purpose: str, message: str | None,
) -> uuid.UUID:
    """B's side. Nothing about A's patients is consulted: the answer cannot leak whether
    the MRN and birth date match."""
    require_decider(principal)
    owner = await _organization(session, principal, organization)
    request_id = new_id()
    session.add(AccessRequest(
        tenant_id=owner.id, id=request_id, requester_tenant_id=principal.tenant_id,
        requested_by=principal.user_id, mrn=mrn, birth_date=birth_date,
        sections=list(dict.fromkeys(sections)), purpose=purpose.strip(), message=message,
        state="requested",
    ))
    await session.flush()
    await audit.record(
        session, principal, "medical.request_access", RECORD, request_id,
        detail={"organization": owner.slug, "sections": sections, "purpose": purpose},
        counterpart_tenant_id=owner.id,
    )
    return request_id


def _listing() -> Any:
    requester = Tenant.__table__.alias("requester")
    owner = Tenant.__table__.alias("owner")
    consent = Consent.__table__.c
    return (
        select(AccessRequest.__table__,
               owner.c.slug.label("owner_slug"), owner.c.name.label("owner_name"),
               requester.c.slug.label("requester_slug"),
               requester.c.name.label("requester_name"),
               consent.sections.label("granted_sections"))
        .join(owner, owner.c.id == T.tenant_id)
        .join(requester, requester.c.id == T.requester_tenant_id)
        # What the approval granted (it may narrow what was asked); both clinics read it.
        .outerjoin(Consent.__table__, (consent.tenant_id == T.tenant_id)
                   & (consent.id == T.consent_id))
    )


async def get(
    session: AsyncSession, principal: Principal, request_id: uuid.UUID
) -> dict[str, Any]:
    """A request the caller's clinic filed or received; 404 for anyone else's."""
    me = principal.tenant_id
    row = (
        (await session.execute(
            _listing().where(T.id == request_id,
                             (T.tenant_id == me) | (T.requester_tenant_id == me))
        )).mappings().one_or_none()
    )
    if row is None:
        raise not_found("Access request")
    return _out(me, dict(row))


async def list_requests(
    session: AsyncSession, principal: Principal, direction: Direction | None, limit: int
) -> list[dict[str, Any]]:
    require_decider(principal)
    me = principal.tenant_id
    incoming = _listing().where(T.tenant_id == me).order_by(T.id.desc()).limit(limit)
    outgoing = (
        _listing().where(T.requester_tenant_id == me, T.tenant_id != me)
        .order_by(T.id.desc()).limit(limit)
    )
    rows: list[Any] = []
    for query, side in ((incoming, "incoming"), (outgoing, "outgoing")):
        if direction in (None, side):
            rows.extend((await session.execute(query)).mappings())
    rows.sort(key=lambda r: r["id"], reverse=True)
    return [_out(me, r) for r in rows[:limit]]


def _out(me: uuid.UUID, row: Mapping[str, Any]) -> dict[str, Any]:
    incoming = row["tenant_id"] == me
    keys = ("id", "mrn", "birth_date", "sections", "purpose", "message", "state",
            "patient_id", "consent_id", "decided_at", "decision_note", "created_at",
            "granted_sections")
    return audit.jsonable({
        **{k: row[k] for k in keys},
        "direction": "incoming" if incoming else "outgoing",
        "owner": {"id": row["tenant_id"], "slug": row["owner_slug"], "name": row["owner_name"]},
        "requester": {"id": row["requester_tenant_id"], "slug": row["requester_slug"],
                      "name": row["requester_name"]},
    })


async def _incoming(
    session: AsyncSession, principal: Principal, request_id: uuid.UUID
) -> AccessRequest:
    request = (
        await session.execute(
            select(AccessRequest)
            .where(AccessRequest.tenant_id == principal.tenant_id, AccessRequest.id == request_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if request is None:
        # The requester sees the row but may not decide on it; anyone else gets 404.
        await get(session, principal, request_id)
        raise RapportError(detail="Only the organization asked can decide", status=403,
                           title="Forbidden")
    return request


async def _ensure_started(
    session: AsyncSession, principal: Principal, request_id: uuid.UUID
) -> None:
    try:
        await get_instance(session, principal, RECORD, request_id)
    except RapportError as exc:
        if exc.status != 404:
            raise
        await start(session, principal, ACCESS_REQUEST, RECORD, request_id)


async def decide(
    session: AsyncSession,
    principal: Principal,
    definitions: Mapping[str, Workflow],
    request_id: uuid.UUID,
    transition: Literal["approve", "deny", "revoke"],
    *,
    note: str | None = None,
    evidence: str | None = None,
    expires_at: Any = None,
    sections: list[str] | None = None,
) -> dict[str, Any]:
    """A's side: fire the transition with the snapshot the guards and actions need."""
    require_decider(principal)
    request = await _incoming(session, principal, request_id)
    fields: dict[str, Any] = {"consent_id": request.consent_id, "state": request.state}
    if transition == "approve":
        chosen = list(dict.fromkeys(sections or request.sections))
        wider = [s for s in chosen if s not in request.sections]
        if wider:
            raise invalid("sections", f"{wider} were not requested; an approval may only narrow")
        consents.aware("expires_at", expires_at)
        patient_id = (
            await session.execute(
                select(Patient.id).where(
                    Patient.tenant_id == principal.tenant_id, Patient.mrn == request.mrn,
                    Patient.birth_date == request.birth_date,
                )
            )
        ).scalar_one_or_none()
        if patient_id is None and request.state == "requested":
            raise conflict("No patient of yours has this medical record number and date of"
                           " birth: deny the request instead")
        requester = await session.get(Tenant, request.requester_tenant_id)
        assert requester is not None
        fields.update(patient_id=patient_id, evidence=(evidence or "").strip() or None,
                      expires_at=expires_at, sections=chosen, purpose=request.purpose,
                      requester_slug=requester.slug)
    await _ensure_started(session, principal, request_id)
    await fire(session, principal, definitions, RECORD, request_id, transition, note=note,
               record_fields=fields)
    await audit.record(
        session, principal, f"medical.{transition}", RECORD, request_id,
        detail={"note": note, "sections": fields.get("sections")},
        counterpart_tenant_id=request.requester_tenant_id,
    )
    return await get(session, principal, request_id)


async def revoke_consent(
    session: AsyncSession, principal: Principal, definitions: Mapping[str, Workflow],
    consent_id: uuid.UUID,
) -> None:
    """End a consent now. One that answered an access request ends through that request's
    workflow (``revoke``), so both records agree; any other ends on its own."""
    consent = await consents.own(session, principal, consent_id)
    if consent.access_request_id is not None and consent.revoked_at is None:
        await decide(session, principal, definitions, consent.access_request_id, "revoke")
    else:
        await consents.end(session, principal, consent)
