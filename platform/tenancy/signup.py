"""An organization signs up: a tenant, its first owner, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.db.session import enter_tenant
from rapport.errors import FieldError, RapportError, conflict, invalid, invalid_many
from rapport.tenancy.models import Membership, Role, Tenant, User
from rapport.tenancy.passwords import hash_password, password_problem, verify_password
from rapport.tenancy.validation import check_slug, normalise_email


@dataclass(frozen=True)
class SignupResult:
    tenant: Tenant
    user: User


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
    session: AsyncSession, *, org_name: str, slug: str, email: str, password: str, full_name: str
) -> SignupResult:
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

    user = (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()
    if user is None:
        user = User(email=email, full_name=full_name.strip(), password_hash=hash_password(password))
        session.add(user)
        await session.flush()
    elif not verify_password(user.password_hash, password):
        # Someone else's address: never attach a new tenant to an account we can't prove.
        raise conflict("An account with this email exists; sign up with that account's password")

    await enter_tenant(session, tenant.id)
    session.add(Membership(tenant_id=tenant.id, user_id=user.id, role=Role.OWNER))
    await session.flush()
    return SignupResult(tenant, user)
