"""A tenant's two-factor policy: whom it requires a second factor of at sign-in ("off",
"admins" = owners and admins, "everyone"), and what a sign-in to it asks for.

The policy decides only how a person signs in to *this* tenant: it never changes the
person's authenticator, nor how they sign in to another tenant (docs/auth.md).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import exists, func, select, true, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.errors import conflict
from rapport.tenancy import totp
from rapport.tenancy.models import MANAGER_ROLES, AuthSession, Membership
from rapport.tenancy.sso_models import SsoSession
from rapport.tenancy.two_factor_models import TwoFactorPolicy, UserTotp


class Require(StrEnum):
    OFF = "off"
    ADMINS = "admins"
    EVERYONE = "everyone"


class SecondStep(StrEnum):
    """What a sign-in asks for after the password."""

    # A code of the person's authenticator (or a recovery code).
    TOTP = "totp"
    # The tenant requires a second factor and the person has none: enrol, then sign in.
    ENROL = "enrol"


def covers(require: str, role: str) -> bool:
    """Whether a policy requires a second factor of a member with ``role``."""
    if require == Require.EVERYONE:
        return True
    return require == Require.ADMINS and role in MANAGER_ROLES


async def read_policy(
    session: AsyncSession, tenant_id: uuid.UUID
) -> tuple[Require, datetime | None]:
    """The tenant's policy and when it was last set (the transaction is in that tenant)."""
    row = (
        await session.execute(
            select(TwoFactorPolicy.require_2fa, TwoFactorPolicy.updated_at).where(
                TwoFactorPolicy.tenant_id == tenant_id
            )
        )
    ).one_or_none()
    return (Require(row[0]), row[1]) if row else (Require.OFF, None)


async def policy_of(session: AsyncSession, tenant_id: uuid.UUID) -> Require:
    return (await read_policy(session, tenant_id))[0]


async def set_policy(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    require: Require,
    *,
    by: uuid.UUID,
    by_role: str,
) -> Require:
    """Set the policy; the previous one is returned. The caller must already meet it (an
    admin who has no authenticator cannot require one of admins: they would be locked out
    of their next sign-in). Sessions in this tenant of members the policy now covers and
    who have no authenticator end at once, so nobody it covers stays signed in without a
    second factor; their sessions in other tenants, and sessions single sign-on opened, are
    untouched."""
    if covers(require, by_role) and not await totp.is_on(session, by):
        raise conflict("Turn on two-factor sign-in for yourself before requiring it of your role")
    before = await policy_of(session, tenant_id)
    await session.execute(
        insert(TwoFactorPolicy)
        .values(tenant_id=tenant_id, require_2fa=require.value, updated_by=by)
        .on_conflict_do_update(
            index_elements=[TwoFactorPolicy.tenant_id],
            set_={"require_2fa": require.value, "updated_by": by, "updated_at": func.now()},
        )
    )
    if require is not Require.OFF:
        await _end_uncovered_sessions(session, tenant_id, require)
    return before


async def _end_uncovered_sessions(
    session: AsyncSession, tenant_id: uuid.UUID, require: Require
) -> None:
    has_totp = exists().where(
        UserTotp.user_id == AuthSession.user_id, UserTotp.confirmed_at.is_not(None)
    )
    # A session single sign-on opened stays: the policy does not apply to SSO sign-ins
    # (the identity provider owns their factors; docs/auth.md).
    by_sso = exists().where(
        SsoSession.tenant_id == AuthSession.tenant_id, SsoSession.id == AuthSession.id
    )
    covered = exists().where(
        Membership.tenant_id == tenant_id,
        Membership.user_id == AuthSession.user_id,
        Membership.role.in_(list(MANAGER_ROLES)) if require is Require.ADMINS else true(),
    )
    await session.execute(
        update(AuthSession)
        .where(
            AuthSession.tenant_id == tenant_id,
            AuthSession.revoked_at.is_(None),
            covered,
            ~has_totp,
            ~by_sso,
        )
        .values(revoked_at=func.now())
        .execution_options(synchronize_session=False)
    )


async def second_step(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, role: str
) -> SecondStep | None:
    """What a password sign-in of this member to this tenant still needs: a code when the
    person has an authenticator (whatever the tenant's policy), enrolment when the tenant
    requires one of their role and they have none, else nothing."""
    if await totp.is_on(session, user_id):
        return SecondStep.TOTP
    if covers(await policy_of(session, tenant_id), role):
        return SecondStep.ENROL
    return None
