"""An organization signs up: a tenant, its first owner, in one transaction."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.db.session import enter_tenant
from rapport.errors import FieldError, RapportError, conflict, invalid, invalid_many
from rapport.mail import Mail
from rapport.tenancy import account_tokens, letters
from rapport.tenancy.members import hash_token
from rapport.tenancy.models import Invitation, Membership, Role, Tenant, User
from rapport.tenancy.passwords import hash_password, password_problem
from rapport.tenancy.validation import check_slug, normalise_email


@dataclass(frozen=True)
class SignupResult:
    tenant: Tenant
    user: User
    # The e-mail to send once the transaction is committed.
    letter: Mail
    # True when the address already had an account: the organization waits for that person
    # to confirm with their own password. Never shown to an anonymous caller.
    awaiting_confirmation: bool


def _not_blank(value: str, field: str) -> None:
    if not value.strip():
        raise invalid(field, "must not be blank")


def _password_ok(password: str, field: str) -> None:
    if problem := password_problem(password):
        raise invalid(field, problem)


async def create_tenant(session: AsyncSession, *, name: str, slug: str) -> Tenant:
    check_slug(slug)
    _not_blank(name, "organization.name")
    tenant = Tenant(name=name.strip(), slug=slug)
    session.add(tenant)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise conflict(f"The address '{slug}' is already taken") from exc
    return tenant


async def sign_up(
    session: AsyncSession,
    *,
    org_name: str,
    slug: str,
    email: str,
    password: str,
    full_name: str,
    base_url: str,
    invitation_ttl: int,
    verification_ttl: int,
) -> SignupResult:
    """Create the organization and its owner. The answer does not depend on whether the
    address already has an account; what differs is only the e-mail the address receives."""
    # Check every field before writing anything, and report all problems at once.
    errors: list[FieldError] = []
    for check in (
        lambda: check_slug(slug),
        lambda: _not_blank(org_name, "organization.name"),
        lambda: normalise_email(email, "admin.email"),
        lambda: _password_ok(password, "admin.password"),
        lambda: _not_blank(full_name, "admin.full_name"),
    ):
        try:
            check()
        except RapportError as exc:
            errors.extend(exc.errors)
    if errors:
        raise invalid_many(errors)
    email = normalise_email(email, "admin.email")
    tenant = await create_tenant(session, name=org_name, slug=slug)
    # Hashed on both paths, so the answer takes as long whether or not the address exists.
    password_hash = await asyncio.to_thread(hash_password, password)
    user = (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()
    await enter_tenant(session, tenant.id)
    if user is None:
        user = User(email=email, full_name=full_name.strip(), password_hash=password_hash)
        session.add(user)
        await session.flush()
        session.add(
            Membership(
                tenant_id=tenant.id, user_id=user.id, role=Role.OWNER, accepted_at=func.now()
            )
        )
        token = await account_tokens.issue(
            session, user.id, account_tokens.Purpose.VERIFY_EMAIL, verification_ttl
        )
        letter = letters.verify_email(base_url=base_url, to=email, token=token)
        await session.flush()
        return SignupResult(tenant, user, letter, awaiting_confirmation=False)

    # Someone else's address, or the person's own: we cannot tell, and must not check the
    # password (that would make sign-up a password oracle). The organization is created with
    # its owner pending; only the person, following the e-mailed link and signing in with
    # their own password, connects their account to it.
    membership = Membership(tenant_id=tenant.id, user_id=user.id, role=Role.OWNER)
    session.add(membership)
    await session.flush()
    token = secrets.token_urlsafe(32)
    session.add(
        Invitation(
            tenant_id=tenant.id,
            membership_id=membership.id,
            token_hash=hash_token(token),
            expires_at=datetime.now(UTC) + timedelta(seconds=invitation_ttl),
            invited_name=full_name.strip(),
        )
    )
    await session.flush()
    letter = letters.signup_confirmation(
        base_url=base_url, to=email, tenant_slug=tenant.slug, tenant_name=tenant.name, token=token
    )
    return SignupResult(tenant, user, letter, awaiting_confirmation=True)
