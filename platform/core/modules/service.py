"""Turning modules on and off for one tenant, and configuring them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.billing.gate import require_module
from rapport.core.events import emit
from rapport.core.fields.indexes import index_plugin_fields
from rapport.core.modules.enabled import enabled_modules
from rapport.core.modules.models import TenantModule
from rapport.errors import FieldError, RapportError, conflict, invalid_many, not_found
from rapport.hooks import MODULE_DISABLED, MODULE_ENABLED, PluginInfo, PluginRegistry, TenantContext
from rapport.tenancy.principal import Principal

T = TypeVar("T")


@dataclass(frozen=True)
class ModuleState:
    info: PluginInfo
    enabled: bool


async def _rows(session: AsyncSession, principal: Principal) -> dict[str, TenantModule]:
    rows = await session.execute(
        select(TenantModule).where(TenantModule.tenant_id == principal.tenant_id)
    )
    return {row.name: row for row in rows.scalars()}


async def enabled_names(session: AsyncSession, principal: Principal) -> frozenset[str]:
    return await enabled_modules(session, principal.tenant_id)


async def list_modules(
    session: AsyncSession, principal: Principal, registry: PluginRegistry
) -> list[ModuleState]:
    rows = await _rows(session, principal)
    return [
        ModuleState(info, bool(rows.get(info.name) and rows[info.name].enabled and info.ok))
        for info in sorted(registry.modules(), key=lambda i: i.name)
    ]


def _installed(registry: PluginRegistry, name: str) -> PluginInfo:
    info = registry.get(name)
    if info is None:
        raise not_found(f"Module '{name}'")
    return info


async def _switch(
    session: AsyncSession, principal: Principal, rows: dict[str, TenantModule], name: str, on: bool
) -> bool:
    """Set one module's flag; True when it changed."""
    row = rows.get(name)
    if row is None:
        row = TenantModule(tenant_id=principal.tenant_id, name=name, enabled=False, settings={})
        session.add(row)
        rows[name] = row
    if row.enabled == on:
        return False
    row.enabled = on
    row.changed_by = principal.user_id
    return True


async def enable(
    session: AsyncSession,
    principal: Principal,
    registry: PluginRegistry,
    name: str,
    *,
    with_requirements: bool = False,
) -> list[str]:
    """Enable ``name`` (and, if asked, what it requires). Returns the names switched on."""
    principal.require_manager()
    info = _installed(registry, name)
    if not info.ok:
        raise conflict(f"Module '{name}' cannot be enabled: {info.error}", module=name)
    rows = await _rows(session, principal)
    enabled = {n for n, r in rows.items() if r.enabled}
    # Everything this module needs, depth first, requirements before dependants.
    order: list[str] = []

    def visit(n: str, path: tuple[str, ...]) -> None:
        dep = registry.get(n)
        if dep is None or not dep.ok or dep.manifest is None:
            raise conflict(f"Module '{n}' required by '{path[-1]}' is not available")
        for req in dep.manifest.requires:
            if req not in path:
                visit(req, (*path, n))
        if n not in order:
            order.append(n)

    visit(name, (name,))
    missing = [n for n in order if n != name and n not in enabled]
    if missing and not with_requirements:
        raise conflict(
            f"Module '{name}' requires {', '.join(missing)}; enable them first or pass "
            "with_requirements=true",
            missing=missing,
        )
    for n in order:
        if n not in enabled:
            # 402 naming the add-on or plan to buy (billing off: every module is free).
            await require_module(session, principal.tenant_id, registry, n)
    switched = [n for n in order if await _switch(session, principal, rows, n, True)]
    await session.flush()
    for n in switched:
        # The module's indexed fields get index entries for this tenant's existing records.
        definitions = [d for plugin, d in registry.declared("rapport_fields") if plugin == n]
        await index_plugin_fields(session, principal.tenant_id, definitions)
    now_enabled = frozenset(n for n, r in rows.items() if r.enabled)
    hooks = registry.for_tenant(now_enabled)
    for n in switched:
        await emit(session, principal, hooks, MODULE_ENABLED, "module", None, {"module": n})
    return switched


async def disable(
    session: AsyncSession, principal: Principal, registry: PluginRegistry, name: str
) -> bool:
    principal.require_manager()
    _installed(registry, name)
    rows = await _rows(session, principal)
    dependants = sorted(
        other.name
        for other in registry.modules()
        if other.manifest
        and name in other.manifest.requires
        and rows.get(other.name) is not None
        and rows[other.name].enabled
    )
    if dependants and rows.get(name) is not None and rows[name].enabled:
        raise conflict(
            f"Module '{name}' is required by {', '.join(dependants)}; disable them first",
            required_by=dependants,
        )
    before = frozenset(n for n, r in rows.items() if r.enabled)
    changed = await _switch(session, principal, rows, name, False)
    await session.flush()
    if changed:
        # The disabled module still hears that it was switched off (the set before).
        hooks = registry.for_tenant(before)
        await emit(session, principal, hooks, MODULE_DISABLED, "module", None, {"module": name})
    return changed


def _schema(info: PluginInfo) -> type | None:
    return info.settings_schema


def effective_settings(info: PluginInfo, stored: dict[str, Any]) -> dict[str, Any]:
    """Stored values over the schema's defaults (a tenant that never saved gets defaults)."""
    schema = _schema(info)
    if schema is None:
        return dict(stored)
    try:
        return msgspec.to_builtins(msgspec.convert(stored, schema))
    except msgspec.ValidationError:
        # Settings saved under an older schema: fall back to defaults for what no longer fits.
        return msgspec.to_builtins(msgspec.convert({}, schema))


async def get_settings(
    session: AsyncSession, principal: Principal, registry: PluginRegistry, name: str
) -> dict[str, Any]:
    info = _installed(registry, name)
    row = (await _rows(session, principal)).get(name)
    return effective_settings(info, row.settings if row else {})


def _field_of(message: str) -> str:
    if "at `$." in message:
        return "settings." + message.rsplit("at `$.", 1)[1].rstrip("`")
    return "settings"


async def put_settings(
    session: AsyncSession,
    principal: Principal,
    registry: PluginRegistry,
    name: str,
    data: Any,
) -> dict[str, Any]:
    principal.require_manager()
    info = _installed(registry, name)
    if not info.ok:
        raise conflict(f"Module '{name}' is broken: {info.error}")
    schema = _schema(info)
    if not isinstance(data, dict):
        raise invalid_many([FieldError("settings", "must be a JSON object")])
    if schema is None:
        if data:
            raise invalid_many([FieldError("settings", f"module '{name}' has no settings")])
        return {}
    try:
        decoded: Any = msgspec.convert(data, schema, strict=True)
    except msgspec.ValidationError as exc:
        message = str(exc)
        raise invalid_many([FieldError(_field_of(message), message.split(" - at ")[0])]) from exc
    values: dict[str, Any] = msgspec.to_builtins(decoded)
    rows = await _rows(session, principal)
    hooks = registry.for_tenant(frozenset({*(n for n, r in rows.items() if r.enabled), name}))
    ctx = TenantContext(principal.tenant_id, session, principal, values)
    problems: list[FieldError] = []
    answers = await hooks.call_each(
        "rapport_validate_settings", only=name, settings=values, ctx=ctx
    )
    for _, errors in answers:
        problems.extend(errors)
    if problems:
        raise invalid_many(problems)
    row = rows.get(name)
    if row is None:
        row = TenantModule(tenant_id=principal.tenant_id, name=name, enabled=False)
        session.add(row)
    row.settings = values
    row.changed_by = principal.user_id
    await session.flush()
    return values


__all__ = [
    "ModuleState",
    "RapportError",
    "disable",
    "enable",
    "enabled_names",
    "list_modules",
    "load_settings",
]


async def load_settings(session: AsyncSession, tenant_id: Any, name: str, schema: type[T]) -> T:
    """A plugin reads its own settings for a tenant, as its schema type (defaults filled)."""
    row = (
        await session.execute(
            select(TenantModule.settings).where(
                TenantModule.tenant_id == tenant_id, TenantModule.name == name
            )
        )
    ).scalar_one_or_none()
    try:
        return msgspec.convert(row or {}, schema)
    except msgspec.ValidationError:
        return msgspec.convert({}, schema)
