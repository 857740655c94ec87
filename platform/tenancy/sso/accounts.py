"""Who the provider's person is in this tenant — the accounts rule (docs/auth.md):

- an identity is (tenant, issuer, ``sub``); once linked it signs in its member;
- otherwise an existing account with the same e-mail is linked only when it already has an
  accepted membership in this tenant; a person who is not a member is refused (the
  tenant's provider must not attach a stranger's account) and told to ask for an invitation;
- with just-in-time provisioning, an address with no account gets a new one (no password,
  address not confirmed: a tenant's provider is no proof to other tenants) and a
  membership with the default role.

Nothing here changes a user's password, e-mail address or other memberships."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.errors import RapportError
from rapport.tenancy.models import Membership, User
from rapport.tenancy.sso_models import JIT, SsoConfig, SsoIdentity

NAME_MAX = 200


def refused(reason: str, detail: str, status: int = 403) -> RapportError:
    """A refusal the console shows in the person's language by its ``reason``."""
    return RapportError(detail=detail, status=status, title="Sign-in refused",
                        extra={"reason": reason})


@dataclass(frozen=True)
class Person:
    user_id: uuid.UUID
    identity_id: uuid.UUID
    created: bool


def verified_email(claims: dict[str, Any], config: SsoConfig) -> str:
    """The token's e-mail address, once it is confirmed by the provider and in an allowed
    domain."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 320:
        raise refused("email_missing", "The identity provider did not share an e-mail "
                      "address (the email scope)")
    if claims.get("email_verified") not in (True, "true"):
        raise refused("email_unverified", "The identity provider has not confirmed this "
                      "e-mail address (email_verified)")
    domain = email.rsplit("@", 1)[1].lower()
    if domain not in config.allowed_domains:
        raise refused("domain", f"E-mail addresses at {domain} may not sign in to this "
                      "organization")
    return email.strip()


def _name(claims: dict[str, Any], email: str) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return (name.strip() or email.split("@", 1)[0])[:NAME_MAX]


async def _accepted_member(session: AsyncSession, tenant_id: uuid.UUID,
                           user_id: uuid.UUID) -> Membership | None:
    return (await session.execute(select(Membership).where(
        Membership.tenant_id == tenant_id, Membership.user_id == user_id))).scalar_one_or_none()


async def _link(session: AsyncSession, config: SsoConfig, subject: str, user_id: uuid.UUID,
                email: str) -> SsoIdentity:
    identity = SsoIdentity(tenant_id=config.tenant_id, issuer=config.issuer, subject=subject,
                           user_id=user_id, email=email, last_sign_in_at=datetime.now(UTC))
    session.add(identity)
    await session.flush()
    return identity


async def resolve(session: AsyncSession, config: SsoConfig, claims: dict[str, Any]) -> Person:
    """The member this verified ID token signs in, in the tenant the session has entered."""
    email = verified_email(claims, config)
    subject = str(claims["sub"])
    tenant_id = config.tenant_id
    identity = (await session.execute(select(SsoIdentity).where(
        SsoIdentity.tenant_id == tenant_id, SsoIdentity.issuer == config.issuer,
        SsoIdentity.subject == subject))).scalar_one_or_none()
    if identity is not None:
        member = await _accepted_member(session, tenant_id, identity.user_id)
        if member is None or member.pending:
            raise refused("not_member", "You are no longer a member of this organization: "
                          "ask its administrator for an invitation")
        identity.email = email
        identity.last_sign_in_at = datetime.now(UTC)
        return Person(identity.user_id, identity.id, created=False)
    user = (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()
    if user is not None:
        member = await _accepted_member(session, tenant_id, user.id)
        if member is None:
            raise refused("not_member", "You already have a Rapport account, but not in "
                          "this organization: ask its administrator for an invitation")
        if member.pending:
            raise refused("invitation_pending", "Accept the invitation e-mailed to you "
                          "first, then sign in with single sign-on")
        identity = await _link(session, config, subject, user.id, email)
        return Person(user.id, identity.id, created=False)
    if config.provisioning != JIT:
        raise refused("not_invited", "This organization lets only invited members sign "
                      "in: ask its administrator for an invitation")
    try:
        async with session.begin_nested():
            user = User(email=email, full_name=_name(claims, email), password_hash=None)
            session.add(user)
            await session.flush()
            session.add(Membership(tenant_id=tenant_id, user_id=user.id,
                                   role=config.default_role, accepted_at=datetime.now(UTC)))
            await session.flush()
    except IntegrityError as exc:  # the same address signed up or signed in a moment ago
        raise refused("retry", "This account was just created elsewhere: sign in again",
                      status=409) from exc
    identity = await _link(session, config, subject, user.id, email)
    return Person(user.id, identity.id, created=True)
