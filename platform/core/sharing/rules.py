"""Sharing rules are part of the plugin contract and live in ``rapport.hooks.sharing``."""

from rapport.hooks.sharing import (
    ROLE_PATTERN,
    SharingRule,
    SharingRuleError,
    sharing_registry,
    validate_rule,
)

__all__ = ["ROLE_PATTERN", "SharingRule", "SharingRuleError", "sharing_registry", "validate_rule"]
