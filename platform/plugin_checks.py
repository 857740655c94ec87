"""Checks across plugins' declarations that the contract floor cannot make (it does not
know core types): namespaces, clashes, types. A plugin that fails is marked broken."""

from __future__ import annotations

from rapport.hooks import PluginRegistry
from rapport.hooks.fields import TENANT_OWNER, FieldDefinition, check_plugin_fields
from rapport.hooks.filters import ContactFilter
from rapport.hooks.reports import MemberMeasure
from rapport.hooks.segments import SegmentCondition
from rapport.hooks.workflows import Workflow


def _problems(name: str, builtin: bool, declarations: dict[str, list[object]]) -> list[str]:
    problems: list[str] = []
    if name == TENANT_OWNER:
        problems.append(f"the name {TENANT_OWNER!r} is reserved for tenants' own fields")
    try:
        check_plugin_fields(
            d for d in declarations.get("rapport_fields", []) if isinstance(d, FieldDefinition)
        )
    except ValueError as exc:
        problems.append(str(exc))
    for item in declarations.get("rapport_fields", []):
        if not isinstance(item, FieldDefinition):
            problems.append(f"rapport_fields returned {item!r}, not a FieldDefinition")
        elif not builtin and item.owner != name:
            problems.append(f"field {item.full_key} must be owned by '{name}'")
    for item in declarations.get("rapport_workflows", []):
        if not isinstance(item, Workflow):
            problems.append(f"rapport_workflows returned {item!r}, not a Workflow")
        elif not builtin and not item.name.startswith(name + "."):
            problems.append(f"workflow {item.name!r} must be named '{name}.…'")
    for item in declarations.get("rapport_sharing_rules", []):
        record_type = getattr(item, "record_type", None)
        if not isinstance(record_type, str):
            problems.append(f"rapport_sharing_rules returned {item!r}, not a SharingRule")
        elif not builtin and not record_type.startswith(name + "."):
            problems.append(f"sharing rule {record_type!r} must be named '{name}.…'")
    for item in declarations.get("rapport_segment_conditions", []):
        if not isinstance(item, SegmentCondition):
            problems.append(f"rapport_segment_conditions returned {item!r}, "
                            "not a SegmentCondition")
            continue
        try:
            item.check(name)
            item.schema  # noqa: B018 — a value type msgspec cannot describe is refused here
        except (ValueError, TypeError) as exc:
            problems.append(str(exc))
    own_fields = {getattr(d, "full_key", None) for d in declarations.get("rapport_fields", [])}
    for item in declarations.get("rapport_contact_filters", []):
        if not isinstance(item, ContactFilter):
            problems.append(f"rapport_contact_filters returned {item!r}, not a ContactFilter")
            continue
        try:
            item.check(name)
        except ValueError as exc:
            problems.append(str(exc))
        if item.name in own_fields:  # one name, one meaning in the grammar
            problems.append(f"contact filter {item.name!r} is also one of its fields")
    for item in declarations.get("rapport_member_measures", []):
        if not isinstance(item, MemberMeasure):
            problems.append(f"rapport_member_measures returned {item!r}, not a MemberMeasure")
            continue
        try:
            item.check(name)
        except ValueError as exc:
            problems.append(str(exc))
    for item in declarations.get("rapport_roles", []):
        if getattr(item, "kernel_role", None) not in ("admin", "member", "viewer"):
            problems.append(f"role {item!r} must act as admin, member or viewer on kernel records")
    return problems


def verify_declarations(registry: PluginRegistry) -> None:
    seen_workflows: dict[str, str] = {}
    seen_roles: dict[str, str] = {}
    for info in list(registry.loaded()):
        problems = _problems(info.name, info.builtin, info.declarations)
        for wf in info.declarations.get("rapport_workflows", []):
            other = seen_workflows.setdefault(getattr(wf, "name", ""), info.name)
            if other != info.name:
                problems.append(f"workflow {wf.name!r} is also declared by '{other}'")
        for role in info.declarations.get("rapport_roles", []):
            role_name = getattr(role, "name", "")
            if role_name in ("owner", "admin", "member", "viewer"):
                problems.append(f"role {role_name!r} is a kernel role")
            other = seen_roles.setdefault(role_name, info.name)
            if other != info.name:
                problems.append(f"role {role_name!r} is also declared by '{other}'")
        if problems:
            registry.mark_broken(info.name, "invalid declaration: " + "; ".join(problems))
