"""Members of a tenant: list, add (existing or new user), change role, remove.

Every lookup takes the acting principal first; the tenant filter lives inside.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.errors import conflict, forbidden, invalid, not_found
from rapport.tenancy.models import Invitation, Membership, Role, User
from rapport.tenancy.passwords import hash_password, password_problem
from rapport.tenancy.principal import Principal
from rapport.tenancy.validation import normalise_email


@dataclass(frozen=True)
class Member:
    membership: Membership
    user: User


@dataclass(frozen=True)
class AddedMember:
    member: Member
    created_user: bool
    invitation_token: str | None


def _parse_role(role: str, extra_roles: frozenset[str] = frozenset()) -> str:
    """A kernel role, or a role an enabled plugin adds (e.g. ``clinician``)."""
    if role in extra_roles:
        return role
    try:
        return Role(role)
    except ValueError as exc:
        allowed = ", ".join([*(r.value for r in Role), *sorted(extra_roles)])
        raise invalid("role", f"must be one of {allowed}") from exc


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def list_members(session: AsyncSession, actor: Principal) -> list[Member]:
    rows = await session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.tenant_id == actor.tenant_id)
        .order_by(Membership.created_at, Membership.id)
    )
    return [Member(m, u) for m, u in rows.all()]


async def get_member(session: AsyncSession, actor: Principal, membership_id: uuid.UUID) -> Member:
    row = (
        await session.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.tenant_id == actor.tenant_id, Membership.id == membership_id)
        )
    ).one_or_none()
    if row is None:
        raise not_found("Member")
    return Member(row[0], row[1])


async def _owner_count_locked(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    # Lock the owner rows so two concurrent demotions cannot both see "two owners".
    owners = await session.execute(
        select(Membership.id)
        .where(Membership.tenant_id == tenant_id, Membership.role == Role.OWNER)
        .with_for_update()
    )
    return len(owners.all())


def _guard_owner_power(actor: Principal, *roles: str) -> None:
    # Only owners create, change or remove owners: an admin cannot promote themselves.
    if Role.OWNER in roles and actor.role != Role.OWNER:
        raise forbidden("Only an owner can grant, change or remove the owner role")


async def add_member(
    session: AsyncSession,
    actor: Principal,
    *,
    email: str,
    full_name: str,
    role: str,
    password: str | None,
    invitation_ttl: int,
    extra_roles: frozenset[str] = frozenset(),
) -> AddedMember:
    actor.require_manager()
    email = normalise_email(email)
    parsed = _parse_role(role, extra_roles)
    _guard_owner_power(actor, parsed)
    user = (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()
    created = user is None
    token: str | None = None
    if user is None:
        if not full_name.strip():
            raise invalid("full_name", "must not be blank")
        if password is not None and (problem := password_problem(password)):
            raise invalid("password", problem)
        user = User(
            email=email,
            full_name=full_name.strip(),
            password_hash=hash_password(password) if password else None,
        )
        session.add(user)
        await session.flush()
    # An existing user's password and name are theirs: never touched here.
    existing = await session.execute(
        select(Membership.id).where(
            Membership.tenant_id == actor.tenant_id, Membership.user_id == user.id
        )
    )
    if existing.first():
        raise conflict("This person is already a member")
    membership = Membership(tenant_id=actor.tenant_id, user_id=user.id, role=parsed)
    session.add(membership)
    await session.flush()
    if user.password_hash is None:
        token = secrets.token_urlsafe(32)
        session.add(
            Invitation(
                tenant_id=actor.tenant_id,
                membership_id=membership.id,
                token_hash=hash_token(token),
                expires_at=datetime.now(UTC) + timedelta(seconds=invitation_ttl),
            )
        )
        await session.flush()
    return AddedMember(Member(membership, user), created, token)


async def change_role(
    session: AsyncSession,
    actor: Principal,
    membership_id: uuid.UUID,
    role: str,
    extra_roles: frozenset[str] = frozenset(),
) -> Member:
    actor.require_manager()
    parsed = _parse_role(role, extra_roles)
    member = await get_member(session, actor, membership_id)
    _guard_owner_power(actor, parsed, member.membership.role)
    demoting_owner = member.membership.role == Role.OWNER and parsed != Role.OWNER
    if demoting_owner and await _owner_count_locked(session, actor.tenant_id) <= 1:
        raise conflict("The last owner cannot be demoted; make someone else owner first")
    member.membership.role = parsed
    await session.flush()
    return member


async def remove_member(session: AsyncSession, actor: Principal, membership_id: uuid.UUID) -> None:
    actor.require_manager()
    member = await get_member(session, actor, membership_id)
    _guard_owner_power(actor, member.membership.role)
    owner = member.membership.role == Role.OWNER
    if owner and await _owner_count_locked(session, actor.tenant_id) <= 1:
        raise conflict("The last owner cannot be removed")
    await session.delete(member.membership)
    await session.flush()


async def count_members(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    return (
        await session.execute(
            select(func.count()).select_from(Membership).where(Membership.tenant_id == tenant_id)
        )
    ).scalar_one()
