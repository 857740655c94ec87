"""Sharing rules: a plugin declares, as data, who may read and write its records.

A rule is checked when the plugin builds it, so a malformed rule fails at start-up with
the rule named, never on a customer's request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapport.db.rls import RECORD_TYPE_PATTERN, SECTION_PATTERN

ROLE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class SharingRuleError(ValueError):
    """A plugin declared a sharing rule that cannot work; the message names it."""


@dataclass(frozen=True)
class SharingRule:
    """Who may touch records of one type.

    ``read_roles`` read every record of the type; ``write_roles`` read and write every
    record; ``owner_roles`` read and write only records they own (the plugin says who owns
    a record when it asks, see ``rapport.core.sharing.access``). ``sections`` are the parts
    of a record a grant can cover (each shared plugin table belongs to one); grants to other
    tenants exist only when ``cross_tenant`` is true.
    """

    record_type: str
    read_roles: frozenset[str] = frozenset()
    write_roles: frozenset[str] = frozenset()
    owner_roles: frozenset[str] = frozenset()
    sections: tuple[str, ...] = ()
    cross_tenant: bool = False

    def __post_init__(self) -> None:
        validate_rule(self)

    @property
    def plugin(self) -> str:
        return self.record_type.split(".", 1)[0]


def validate_rule(rule: SharingRule) -> None:
    name = rule.record_type
    if not isinstance(name, str) or not RECORD_TYPE_PATTERN.match(name):
        raise SharingRuleError(
            f"sharing rule {name!r}: record_type must look like '<plugin>.<kind>' "
            "(lowercase letters, digits, '_')"
        )
    for attr in ("read_roles", "write_roles", "owner_roles"):
        roles = getattr(rule, attr)
        # A plain set would be mutable and a str would iterate into letters.
        if not isinstance(roles, frozenset):
            raise SharingRuleError(f"sharing rule {name}: {attr} must be a frozenset of roles")
        bad = sorted(r for r in roles if not isinstance(r, str) or not ROLE_PATTERN.match(r))
        if bad:
            raise SharingRuleError(f"sharing rule {name}: {attr} has invalid roles {bad}")
    if not (rule.read_roles or rule.write_roles or rule.owner_roles):
        raise SharingRuleError(f"sharing rule {name}: no role may read or write these records")
    if rule.owner_roles & rule.write_roles:
        overlap = sorted(rule.owner_roles & rule.write_roles)
        raise SharingRuleError(
            f"sharing rule {name}: {overlap} already write every record; "
            "owner_roles is for roles limited to their own"
        )
    if not isinstance(rule.sections, tuple):
        raise SharingRuleError(f"sharing rule {name}: sections must be a tuple")
    for section in rule.sections:
        if not isinstance(section, str) or not SECTION_PATTERN.match(section):
            raise SharingRuleError(f"sharing rule {name}: invalid section {section!r}")
    if len(set(rule.sections)) != len(rule.sections):
        raise SharingRuleError(f"sharing rule {name}: sections repeat")
    if not isinstance(rule.cross_tenant, bool):
        raise SharingRuleError(f"sharing rule {name}: cross_tenant must be true or false")
    if rule.cross_tenant and not rule.sections:
        raise SharingRuleError(
            f"sharing rule {name}: cross-tenant grants need at least one section to cover"
        )


def sharing_registry(rules: Iterable[SharingRule]) -> Mapping[str, SharingRule]:
    """Rules by record type; two plugins claiming one record type is an error."""
    registry: dict[str, SharingRule] = {}
    for rule in rules:
        if rule.record_type in registry:
            raise SharingRuleError(f"sharing rule {rule.record_type}: declared twice")
        registry[rule.record_type] = rule
    return registry
