"""Role and ownership checks against a sharing rule: the Python half of the rule.

The other half is in the database: RLS decides which tenants' rows a query can see at
all (grants included); these checks decide what the caller's role may do with them.
"""

from __future__ import annotations

import uuid

from rapport.core.sharing.rules import SharingRule
from rapport.errors import RapportError, forbidden
from rapport.tenancy.models import MANAGER_ROLES
from rapport.tenancy.principal import Principal


def _owns(principal: Principal, rule: SharingRule, owner_user_id: uuid.UUID | None) -> bool:
    return (
        principal.role in rule.owner_roles
        and owner_user_id is not None
        and owner_user_id == principal.user_id
    )


def may_read(principal: Principal, rule: SharingRule, owner_user_id: uuid.UUID | None) -> bool:
    # Whoever may write a record may read it.
    return (
        principal.role in rule.read_roles
        or principal.role in rule.write_roles
        or _owns(principal, rule, owner_user_id)
    )


def may_write(principal: Principal, rule: SharingRule, owner_user_id: uuid.UUID | None) -> bool:
    return principal.role in rule.write_roles or _owns(principal, rule, owner_user_id)


def may_manage_grants(principal: Principal, rule: SharingRule) -> bool:
    """Granting access is a write on the record's visibility: writers, owners and admins."""
    return principal.role in rule.write_roles or principal.role in MANAGER_ROLES


def _refusal(principal: Principal, rule: SharingRule, verb: str) -> RapportError:
    error = forbidden(
        f"Role '{principal.role}' may not {verb} {rule.record_type} records"
        f" (sharing rule {rule.record_type})"
    )
    error.extra["rule"] = rule.record_type
    return error


def require_read(
    principal: Principal, rule: SharingRule, owner_user_id: uuid.UUID | None = None
) -> None:
    """403 naming the rule unless the caller's role (or ownership) lets them read."""
    if not may_read(principal, rule, owner_user_id):
        raise _refusal(principal, rule, "read")


def require_write(
    principal: Principal, rule: SharingRule, owner_user_id: uuid.UUID | None = None
) -> None:
    """403 naming the rule unless the caller's role (or ownership) lets them write."""
    if not may_write(principal, rule, owner_user_id):
        raise _refusal(principal, rule, "write")


def require_grant_manager(principal: Principal, rule: SharingRule) -> None:
    if not may_manage_grants(principal, rule):
        raise _refusal(principal, rule, "share")
