"""The e-mails the accounts area sends. Each carries a one-time link; following it is how a
person proves they control the address. Links point at the console's pages; the same tokens
work with the API (docs/auth.md)."""

from __future__ import annotations

from urllib.parse import urlencode

from rapport.mail import Mail


def _link(base_url: str, page: str, **query: str) -> str:
    return f"{base_url.rstrip('/')}/{page}?{urlencode(query)}"


def invitation(
    *, base_url: str, to: str, tenant_slug: str, tenant_name: str, inviter: str, token: str,
    has_password: bool,
) -> Mail:
    url = _link(base_url, "invite", tenant=tenant_slug, token=token)
    how = (
        "Sign in with your existing Rapport password to accept."
        if has_password
        else "Choose your password to accept."
    )
    return Mail(
        to=to,
        subject=f"{inviter} invited you to {tenant_name} on Rapport",
        text=(
            f"Hello,\n\n{inviter} invited you to join {tenant_name} on Rapport.\n{how}\n\n"
            f"{url}\n\nIf you did not expect this, ignore this message: nothing changes "
            "until you follow the link.\n"
        ),
    )


def signup_confirmation(
    *, base_url: str, to: str, tenant_slug: str, tenant_name: str, token: str
) -> Mail:
    url = _link(base_url, "invite", tenant=tenant_slug, token=token)
    return Mail(
        to=to,
        subject=f"Confirm the new organization {tenant_name} on Rapport",
        text=(
            f"Hello,\n\nSomeone signed up the organization {tenant_name} on Rapport with this "
            "address, which already has a Rapport account. To become its owner, follow the link "
            f"and sign in with your existing password:\n\n{url}\n\n"
            "If this was not you, ignore this message: your account is not connected to the "
            "organization and your password has not changed.\n"
        ),
    )


def verify_email(*, base_url: str, to: str, token: str) -> Mail:
    url = _link(base_url, "verify-email", token=token)
    return Mail(
        to=to,
        subject="Confirm your e-mail address for Rapport",
        text=f"Hello,\n\nPlease confirm that this address is yours:\n\n{url}\n",
    )


def password_reset(*, base_url: str, to: str, token: str, ttl_minutes: int) -> Mail:
    url = _link(base_url, "reset-password", token=token)
    return Mail(
        to=to,
        subject="Reset your Rapport password",
        text=(
            f"Hello,\n\nFollow this link within {ttl_minutes} minutes to choose a new "
            f"password:\n\n{url}\n\nChoosing one signs you out everywhere. If you did not ask "
            "for this, ignore this message: your password stays as it is.\n"
        ),
    )
