"""The roles the plugin adds and who may do what with orders and promises.

A salesperson sees and changes their own orders and promises; a sales manager, the
dealership admin and the tenant's owners and admins see all of them, run the reports and
set incentives."""

from __future__ import annotations

import uuid

from rapport.sdk import Permission, Principal, RoleDefinition, SharingRule, forbidden

SALESPERSON = "salesperson"
SALES_MANAGER = "sales_manager"
DEALERSHIP_ADMIN = "dealership_admin"
MANAGERS = frozenset({SALES_MANAGER, DEALERSHIP_ADMIN, "owner", "admin"})
SELLERS = MANAGERS | {SALESPERSON, "member"}

PERMISSIONS = (
    Permission("dealership.sell", "Quote, order and promise to customers"),
    Permission("dealership.manage", "See every salesperson's orders and promises, reports"),
    Permission("dealership.incentives", "Set quotas, contests and bonuses"),
    Permission("dealership.catalogue", "Maintain vehicle definitions and stock"),
)

ROLES = (
    RoleDefinition(SALESPERSON, "Salesperson", ("dealership.sell",), kernel_role="member"),
    RoleDefinition(SALES_MANAGER, "Sales manager",
                   ("dealership.sell", "dealership.manage", "dealership.incentives"),
                   kernel_role="member"),
    RoleDefinition(DEALERSHIP_ADMIN, "Dealership admin",
                   tuple(p.key for p in PERMISSIONS), kernel_role="admin"),
)

RULES = (
    SharingRule(record_type="dealership.order", read_roles=SELLERS | {"viewer"},
                write_roles=MANAGERS, owner_roles=frozenset({SALESPERSON, "member"})),
    SharingRule(record_type="dealership.promise", read_roles=SELLERS | {"viewer"},
                write_roles=MANAGERS, owner_roles=frozenset({SALESPERSON, "member"})),
)


def is_manager(principal: Principal) -> bool:
    return principal.role in MANAGERS


def require_manager(principal: Principal) -> None:
    if not is_manager(principal):
        raise forbidden("Only sales managers, dealership admins, owners and admins can do this")


def require_seller(principal: Principal) -> None:
    if principal.role not in SELLERS:
        raise forbidden(f"Role '{principal.role}' cannot sell")


def require_owner_or_manager(principal: Principal, owner_id: uuid.UUID, what: str) -> None:
    """A salesperson acts on their own records only; managers on everyone's."""
    require_seller(principal)
    if owner_id != principal.membership_id and not is_manager(principal):
        raise forbidden(f"Only its salesperson or a sales manager can change this {what}")


def mine_only(principal: Principal) -> uuid.UUID | None:
    """The member whose records a list is limited to: the principal unless a manager
    (viewers read everything, as on kernel records)."""
    if is_manager(principal) or principal.role == "viewer":
        return None
    return principal.membership_id
