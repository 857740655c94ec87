"""The roles retail adds and who may do what.

A cashier works the till only (read the card view, record purchases, redeem vouchers); a
loyalty manager runs programs, rules, tiers, rewards, adjustments and reports. The tenant's
owners and admins may do both.
"""

from __future__ import annotations

from rapport.sdk import Permission, Principal, RoleDefinition, SharingRule, forbidden

CASHIER = "cashier"
LOYALTY_MANAGER = "loyalty_manager"
MANAGERS = frozenset({LOYALTY_MANAGER, "owner", "admin"})
TILL = MANAGERS | {CASHIER}
RECORD_TYPE = "retail.member"

PERMISSIONS = (
    Permission("retail.till", "Scan cards, record purchases and redeem vouchers at the till"),
    Permission("retail.manage", "Run loyalty programs, tiers, rewards and reports"),
    Permission("retail.adjust", "Adjust a member's points by hand (with a reason, audited)"),
)

ROLES = (
    RoleDefinition(CASHIER, "Cashier", ("retail.till",), kernel_role="member"),
    RoleDefinition(LOYALTY_MANAGER, "Loyalty manager",
                   ("retail.till", "retail.manage", "retail.adjust"), kernel_role="member"),
)

MEMBER_RULE = SharingRule(record_type=RECORD_TYPE, read_roles=TILL, write_roles=MANAGERS)


def require_till(principal: Principal) -> None:
    if principal.role not in TILL:
        raise forbidden(f"Role '{principal.role}' does not work the till")


def require_manager(principal: Principal) -> None:
    if principal.role not in MANAGERS:
        raise forbidden(f"Role '{principal.role}' may not manage loyalty programs")
