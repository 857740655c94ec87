"""Members of a tenant: list, invite (the person accepts by e-mail), change role, remove.

Every lookup takes the acting principal first; the tenant filter lives inside.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.errors import conflict, forbidden, invalid, not_found
from rapport.mail import Mail
from rapport.tenancy import letters
from rapport.tenancy.models import Invitation, Membership, Role, User
from rapport.tenancy.principal import Principal
from rapport.tenancy.validation import normalise_email


@dataclass(frozen=True)
class Member:
    membership: Membership
    user: User
    # What the inviter called the person, while the invitation is pending.
    invited_name: str | None = None

    @property
    def pending(self) -> bool:
        return self.membership.accepted_at is None

    @property
    def display_name(self) -> str:
        """A pending member is shown by the name the inviter typed: the person's own name
        is theirs, and showing it would tell this tenant the address has an account."""
        if self.pending:
            return self.invited_name or ""
        return self.user.full_name


@dataclass(frozen=True)
class AddedMember:
    member: Member
    letter: Mail


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


def _members_query() -> Select[Membership, User, str | None]:
    return (
        select(Membership, User, Invitation.invited_name)
        .join(User, User.id == Membership.user_id)
        .outerjoin(
            Invitation,
            (Invitation.tenant_id == Membership.tenant_id)
            & (Invitation.membership_id == Membership.id),
        )
    )


async def list_members(session: AsyncSession, actor: Principal) -> list[Member]:
    rows = await session.execute(
        _members_query()
        .where(Membership.tenant_id == actor.tenant_id)
        .order_by(Membership.created_at, Membership.id)
    )
    return [Member(m, u, name) for m, u, name in rows.all()]


async def get_member(session: AsyncSession, actor: Principal, membership_id: uuid.UUID) -> Member:
    row = (
        await session.execute(
            _members_query().where(
                Membership.tenant_id == actor.tenant_id, Membership.id == membership_id
            )
        )
    ).one_or_none()
    if row is None:
        raise not_found("Member")
    return Member(row[0], row[1], row[2])


async def _owner_count_locked(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    # Lock the owner rows so two concurrent demotions cannot both see "two owners".
    owners = await session.execute(
        select(Membership.id)
        .where(
            Membership.tenant_id == tenant_id,
            Membership.role == Role.OWNER,
            Membership.accepted_at.is_not(None),
        )
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
    invitation_ttl: int,
    base_url: str,
    extra_roles: frozenset[str] = frozenset(),
) -> AddedMember:
    """Invite a person: the membership counts only once they accept through the link sent to
    their address. The answer is the same whether or not the address has an account, and
    nothing about an existing person (their name, their password) is read or touched."""
    actor.require_manager()
    email = normalise_email(email)
    parsed = _parse_role(role, extra_roles)
    _guard_owner_power(actor, parsed)
    invited_name = full_name.strip() or None
    user = (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()
    if user is None:
        # A placeholder identity with no password: only the person, from the e-mailed link,
        # ever sets one (and their own name with it).
        user = User(email=email, full_name=invited_name or email.split("@")[0])
        session.add(user)
        await session.flush()
    existing = await session.execute(
        select(Membership.id).where(
            Membership.tenant_id == actor.tenant_id, Membership.user_id == user.id
        )
    )
    if existing.first():
        raise conflict("This person is already a member or already invited")
    membership = Membership(tenant_id=actor.tenant_id, user_id=user.id, role=parsed)
    session.add(membership)
    await session.flush()
    token = secrets.token_urlsafe(32)
    session.add(
        Invitation(
            tenant_id=actor.tenant_id,
            membership_id=membership.id,
            token_hash=hash_token(token),
            expires_at=datetime.now(UTC) + timedelta(seconds=invitation_ttl),
            invited_name=invited_name,
        )
    )
    await session.flush()
    letter = letters.invitation(
        base_url=base_url, to=email, tenant_slug=actor.tenant_slug,
        tenant_name=actor.tenant_name, inviter=actor.full_name, token=token,
        has_password=user.password_hash is not None,
    )
    return AddedMember(Member(membership, user, invited_name), letter)


async def resend_invitation(
    session: AsyncSession,
    actor: Principal,
    membership_id: uuid.UUID,
    *,
    invitation_ttl: int,
    base_url: str,
) -> Mail:
    """A new link for a pending member; the old link stops working."""
    actor.require_manager()
    member = await get_member(session, actor, membership_id)
    if not member.pending:
        raise conflict("This member has already accepted")
    token = secrets.token_urlsafe(32)
    invitation = (
        await session.execute(
            select(Invitation).where(
                Invitation.tenant_id == actor.tenant_id,
                Invitation.membership_id == membership_id,
            )
        )
    ).scalar_one_or_none()
    expires = datetime.now(UTC) + timedelta(seconds=invitation_ttl)
    if invitation is None:
        session.add(
            Invitation(tenant_id=actor.tenant_id, membership_id=membership_id,
                       token_hash=hash_token(token), expires_at=expires)
        )
    else:
        invitation.token_hash = hash_token(token)
        invitation.expires_at = expires
        invitation.accepted_at = None
    await session.flush()
    return letters.invitation(
        base_url=base_url, to=member.user.email, tenant_slug=actor.tenant_slug,
        tenant_name=actor.tenant_name, inviter=actor.full_name, token=token,
        has_password=member.user.password_hash is not None,
    )


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
