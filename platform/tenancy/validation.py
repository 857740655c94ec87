"""Rules for names people type: slugs, emails."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from rapport.errors import invalid
from rapport.fieldtypes import SLUG_PATTERN

SLUG_RE = re.compile(SLUG_PATTERN)
RESERVED_SLUGS = frozenset(
    {
        "api",
        "admin",
        "www",
        "app",
        "assets",
        "static",
        "auth",
        "login",
        "logout",
        "signup",
        "schema",
        "docs",
        "healthz",
        "readyz",
        "status",
        "support",
        "help",
        "billing",
        "mail",
        "root",
        "system",
        "rapport",
        "console",
        "invite",
        "invitations",
        "public",
        "null",
    }
)


def check_slug(slug: str, field: str = "organization.slug") -> str:
    if not 3 <= len(slug) <= 40:
        raise invalid(field, "must be 3 to 40 characters")
    if not SLUG_RE.match(slug):
        raise invalid(
            field, "may contain only lowercase letters, digits and inner hyphens ([a-z0-9-])"
        )
    if slug in RESERVED_SLUGS:
        raise invalid(field, f"'{slug}' is reserved")
    return slug


def normalise_email(email: str, field: str = "email") -> str:
    """Syntax check and normal form (lower-cased domain); no DNS look-up."""
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise invalid(field, str(exc)) from exc
