"""Grant actions and the cross-tenant read door.

Every lookup names the caller's tenant on the side it asks about (grantor or grantee);
RLS independently limits every statement to grants the caller's tenant is party to.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, TypeAlias

from sqlalchemy import ColumnElement, Select, and_, func, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from rapport.core import audit
from rapport.core.pagination import Page, check_limit, cut, newest_first
from rapport.core.sharing.access import may_manage_grants, may_read, require_read
from rapport.core.sharing.models import SharingGrant
from rapport.core.sharing.rules import SharingRule
from rapport.errors import conflict, forbidden, invalid, not_found
from rapport.tenancy.models import Tenant
from rapport.tenancy.principal import Principal

Rules = Mapping[str, SharingRule]
# Clients stamp "now" with their own clock; a start this far back still counts as now.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class GrantView:
    """A grant with both parties, whether it admits reads now, and the caller's side."""

    grant: SharingGrant
    grantor: Tenant
    grantee: Tenant
    active: bool
    direction: Literal["outgoing", "incoming"]


GrantPage: TypeAlias = Page[GrantView]


def _active() -> ColumnElement[bool]:
    # The same test rapport_granted() applies, on the database clock.
    return and_(
        SharingGrant.revoked_at.is_(None),
        SharingGrant.starts_at <= func.now(),
        SharingGrant.expires_at > func.now(),
    )


def _views(me: uuid.UUID) -> Select[SharingGrant, Tenant, Tenant, bool]:
    grantor = aliased(Tenant, name="grantor")
    grantee = aliased(Tenant, name="grantee")
    return (
        select(SharingGrant, grantor, grantee, _active().label("active"))
        .join(grantor, grantor.id == SharingGrant.tenant_id)
        .join(grantee, grantee.id == SharingGrant.grantee_tenant_id)
        .where(or_(SharingGrant.tenant_id == me, SharingGrant.grantee_tenant_id == me))
        # A revoke in this transaction must show, not the copy loaded before it.
        .execution_options(populate_existing=True)
    )


def _view(me: uuid.UUID, row: Any) -> GrantView:
    grant, grantor, grantee, active = row
    direction: Literal["outgoing", "incoming"] = "outgoing" if grant.tenant_id == me else "incoming"
    return GrantView(grant, grantor, grantee, bool(active), direction)


def _may_see(principal: Principal, rule: SharingRule | None) -> bool:
    # Managers see every grant, also those of plugins the tenant has since disabled.
    return principal.can_manage or (rule is not None and may_read(principal, rule, None))


async def get_grant(
    session: AsyncSession, principal: Principal, rules: Rules, grant_id: uuid.UUID
) -> GrantView:
    """A grant the caller's tenant gave or received; 404 for anyone else's."""
    row = (
        await session.execute(_views(principal.tenant_id).where(SharingGrant.id == grant_id))
    ).one_or_none()
    if row is None:
        raise not_found("Grant")
    view = _view(principal.tenant_id, row)
    if not _may_see(principal, rules.get(view.grant.record_type)):
        raise forbidden(f"Role '{principal.role}' may not see grants of {view.grant.record_type}")
    return view


async def list_grants(
    session: AsyncSession,
    principal: Principal,
    rules: Rules,
    *,
    direction: Literal["outgoing", "incoming"] | None = None,
    active: bool | None = None,
    record_type: str | None = None,
    record_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> GrantPage:
    """Newest first; only grants of record types the caller's role may read."""
    check_limit(limit)
    me = principal.tenant_id
    query = _views(me)
    if direction == "outgoing":
        query = query.where(SharingGrant.tenant_id == me)
    elif direction == "incoming":
        query = query.where(SharingGrant.grantee_tenant_id == me)
    if active is not None:
        query = query.where(_active() if active else not_(_active()))
    if record_type is not None:
        query = query.where(SharingGrant.record_type == record_type)
    if record_id is not None:
        query = query.where(SharingGrant.record_id == record_id)
    if not principal.can_manage:
        readable = [t for t, rule in rules.items() if may_read(principal, rule, None)]
        query = query.where(SharingGrant.record_type.in_(readable))
    rows = list(await session.execute(newest_first(query, SharingGrant.id, cursor, limit)))
    return cut(rows, limit, lambda row: (row[0].id,)).map(lambda row: _view(me, row))


def _rule_for(principal: Principal, rules: Rules, record_type: str) -> SharingRule:
    rule = rules.get(record_type)
    if rule is None:
        raise invalid("record_type", f"no enabled module shares {record_type} records")
    if not may_manage_grants(principal, rule):
        error = forbidden(
            f"Role '{principal.role}' may not share {record_type} records"
            f" (sharing rule {record_type})"
        )
        error.extra["rule"] = record_type
        raise error
    if not rule.cross_tenant:
        raise invalid("record_type", f"{record_type} records cannot be shared with other tenants")
    return rule


def _sections(rule: SharingRule, asked: Sequence[str]) -> list[str]:
    unknown = [s for s in asked if s not in rule.sections]
    if unknown:
        raise invalid(
            "sections",
            f"{unknown} are not grantable parts of {rule.record_type};"
            f" choose from {list(rule.sections)}",
        )
    return list(dict.fromkeys(asked))


async def create_grant(
    session: AsyncSession,
    principal: Principal,
    rules: Rules,
    *,
    grantee_tenant: str,
    record_type: str,
    record_id: uuid.UUID,
    sections: Sequence[str],
    purpose: str,
    expires_at: datetime,
    starts_at: datetime | None = None,
    evidence: str | None = None,
) -> GrantView:
    """Let ``grantee_tenant`` (a slug) read ``sections`` of one of the caller's records
    from ``starts_at`` (default now) until ``expires_at``. Logged in both tenants' audit."""
    rule = _rule_for(principal, rules, record_type)
    granted_sections = _sections(rule, sections)
    if not purpose.strip():
        raise invalid("purpose", "say why the access is granted")
    # The database clock: the one rapport_granted() compares with.
    now: datetime = (await session.execute(select(func.now()))).scalar_one()
    start = starts_at or now
    if start < now - CLOCK_SKEW:
        raise invalid("starts_at", "must not be in the past")
    if expires_at <= start:
        raise invalid("expires_at", "must be after starts_at")
    grantee = (
        await session.execute(
            select(Tenant).where(Tenant.slug == grantee_tenant, Tenant.status == "active")
        )
    ).scalar_one_or_none()
    if grantee is None:
        raise invalid("grantee_tenant", "no active organization has this slug")
    if grantee.id == principal.tenant_id:
        raise invalid("grantee_tenant", "access to your own records needs no grant")
    grant = SharingGrant(
        tenant_id=principal.tenant_id,
        grantee_tenant_id=grantee.id,
        record_type=record_type,
        record_id=record_id,
        sections=granted_sections,
        purpose=purpose.strip(),
        evidence=evidence,
        granted_by=principal.user_id,
        starts_at=start,
        expires_at=expires_at,
    )
    session.add(grant)
    await session.flush()
    await audit.record(
        session,
        principal,
        audit.SHARE,
        record_type,
        record_id,
        detail={
            "grant_id": grant.id,
            "grantee_tenant_id": grantee.id,
            "sections": granted_sections,
            "purpose": grant.purpose,
            "starts_at": start,
            "expires_at": expires_at,
        },
        counterpart_tenant_id=grantee.id,
    )
    return await get_grant(session, principal, rules, grant.id)


async def revoke_grant(
    session: AsyncSession, principal: Principal, rules: Rules, grant_id: uuid.UUID
) -> GrantView:
    """End a grant now; the grantee's next statement no longer sees the shared rows."""
    view = await get_grant(session, principal, rules, grant_id)
    grant = view.grant
    if view.direction != "outgoing":
        raise forbidden("Only the organization that granted access can revoke it")
    rule = rules.get(grant.record_type)
    # Managers may revoke even when the plugin's rule is gone: ending access must
    # never depend on a module still being enabled.
    if not principal.can_manage and (rule is None or not may_manage_grants(principal, rule)):
        raise forbidden(
            f"Role '{principal.role}' may not revoke grants of {grant.record_type}"
            f" (sharing rule {grant.record_type})"
        )
    # The WHERE on revoked_at makes a concurrent second revoke update nothing (→ 409)
    # instead of tripping the database's "revocation is final" trigger.
    revoked = (
        await session.execute(
            update(SharingGrant)
            .where(
                SharingGrant.tenant_id == principal.tenant_id,
                SharingGrant.id == grant_id,
                SharingGrant.revoked_at.is_(None),
            )
            .values(revoked_at=func.now(), revoked_by=principal.user_id)
            .returning(SharingGrant.id)
            .execution_options(synchronize_session=False)
        )
    ).scalar_one_or_none()
    if revoked is None:
        raise conflict("This grant is already revoked")
    await audit.record(
        session,
        principal,
        audit.REVOKE,
        grant.record_type,
        grant.record_id,
        detail={"grant_id": grant.id, "grantee_tenant_id": grant.grantee_tenant_id},
        counterpart_tenant_id=grant.grantee_tenant_id,
    )
    return await get_grant(session, principal, rules, grant_id)


async def open_shared_record(
    session: AsyncSession,
    principal: Principal,
    rule: SharingRule,
    owner_tenant_id: uuid.UUID,
    record_id: uuid.UUID,
    section: str,
    *,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Admit the caller to ``section`` of another tenant's record, and log the read.

    A plugin calls this before reading the owner's rows of a shared table: 403 unless the
    caller's role may read such records, 404 unless a grant to the caller's tenant covers
    the section right now. The read entry lands in the owner's audit log, visible to both
    tenants. RLS admits the rows themselves only under the same grant.
    """
    if owner_tenant_id == principal.tenant_id:
        raise ValueError("own records need no grant: use access.require_read")
    if section not in rule.sections:
        raise ValueError(f"{section!r} is not a section of {rule.record_type}")
    require_read(principal, rule)
    granted = (
        await session.execute(
            select(func.rapport_granted(owner_tenant_id, rule.record_type, record_id, section))
        )
    ).scalar_one()
    if not granted:
        raise not_found(f"Shared {rule.record_type}")
    await audit.record(
        session,
        principal,
        audit.READ,
        rule.record_type,
        record_id,
        detail={**(detail or {}), "section": section},
        owner_tenant_id=owner_tenant_id,
    )
