"""The plugin contract. Vendors write ``from rapport.hooks import hookimpl, PluginManifest``."""

from rapport.hooks.events import (
    CONTACT_CREATED,
    CONTACT_DELETED,
    CONTACT_MERGED,
    CONTACT_UPDATED,
    INTERACTION_LOGGED,
    MODULE_DISABLED,
    MODULE_ENABLED,
    TASK_REMINDER_DUE,
    TRANSACTION_RECORDED,
    ContactSummaryQuery,
    DomainEvent,
    Permission,
    RoleDefinition,
    TenantContext,
    TimelineEntry,
    TimelineQuery,
)
from rapport.hooks.manifest import ManifestError, PluginManifest
from rapport.hooks.markers import ENTRY_POINT_GROUP, hookimpl, hookspec
from rapport.hooks.registry import (
    PluginHookError,
    PluginInfo,
    PluginRegistry,
    TenantHooks,
    load_registry,
)

__all__ = [
    "CONTACT_CREATED",
    "CONTACT_DELETED",
    "CONTACT_MERGED",
    "CONTACT_UPDATED",
    "ENTRY_POINT_GROUP",
    "INTERACTION_LOGGED",
    "MODULE_DISABLED",
    "MODULE_ENABLED",
    "TASK_REMINDER_DUE",
    "TRANSACTION_RECORDED",
    "ContactSummaryQuery",
    "DomainEvent",
    "ManifestError",
    "Permission",
    "PluginHookError",
    "PluginInfo",
    "PluginManifest",
    "PluginRegistry",
    "RoleDefinition",
    "TenantContext",
    "TenantHooks",
    "TimelineEntry",
    "TimelineQuery",
    "hookimpl",
    "hookspec",
    "load_registry",
]
