"""``rapport two-factor status|off EMAIL``: the deployment operator's way back in for a
person who lost both their authenticator and their recovery codes. No organization can do
this (a tenant never influences a person's credentials); the operator acts for the
deployment, after checking who is asking, as for any account recovery. Turning it off also
ends every session of the person, in every organization; the application log records it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from rapport.tenancy.operator_cli import run_operator

T = TypeVar("T")
log = logging.getLogger("rapport.two_factor")


def _run(email: str, work: Callable[[Any, Any], Awaitable[T]]) -> T:
    """``work(session, user)`` in one transaction (no tenant: the person's own rows)."""
    from sqlalchemy import select

    from rapport.tenancy.models import User

    async def as_person(session: Any, settings: Any) -> T:
        user = (await session.execute(
            select(User).where(User.email == email.strip()))).scalar_one_or_none()
        if user is None:
            raise click.ClickException(f"no account has the address {email}")
        return await work(session, user)

    return run_operator(as_person)


@click.group("two-factor")
def two_factor_group() -> None:
    """A person's two-factor sign-in (the operator's recovery)."""


@two_factor_group.command("status")
@click.argument("email")
def two_factor_status(email: str) -> None:
    """Whether EMAIL's two-factor sign-in is on, and how many recovery codes are left."""
    from rapport.tenancy import totp

    async def work(session: Any, user: Any) -> totp.Status:
        return await totp.status(session, user.id)

    found = _run(email, work)
    state = "on" if found.enabled else "pending" if found.pending else "off"
    click.echo(f"{email}: two-factor sign-in {state}; "
               f"{found.recovery_codes_left} recovery codes left")


@two_factor_group.command("off")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def two_factor_off(email: str, yes: bool) -> None:
    """Remove EMAIL's authenticator and recovery codes and end their sessions everywhere.
    Only after checking that the person asking is the account's owner."""
    from rapport.tenancy import totp
    from rapport.tenancy.sessions import revoke_everywhere

    if not yes:
        click.confirm(f"Turn off two-factor sign-in of {email} and end all their sessions?",
                      abort=True)

    async def work(session: Any, user: Any) -> bool:
        removed = await totp.remove(session, user.id)
        if removed:
            await revoke_everywhere(session, user.id)
        return removed

    if not _run(email, work):
        raise click.ClickException(f"{email} has no two-factor sign-in to turn off")
    log.warning("two-factor sign-in turned off by the operator", extra={"email": email})
    click.echo(f"two-factor sign-in of {email} is off; every session of theirs has ended")
