"""Loads plugins from entry points, validates them, and hands out per-tenant hook callers.

A broken plugin (import error, invalid manifest, misspelt hook, bad declaration) is
logged and listed with its error; it never takes the platform down.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pluggy
import structlog

from rapport.hooks import specs
from rapport.hooks.manifest import ManifestError, PluginManifest
from rapport.hooks.markers import ENTRY_POINT_GROUP, KERNEL_ENTRY_POINT_GROUP, PROJECT

log = structlog.get_logger("rapport.plugins")

# Hooks answered once at start-up; their answers are kept per plugin.
DECLARATION_HOOKS = (
    "rapport_fields",
    "rapport_models",
    "rapport_routes",
    "rapport_workflows",
    "rapport_sharing_rules",
    "rapport_segment_conditions",
    "rapport_contact_filters",
    "rapport_permissions",
    "rapport_roles",
    "rapport_cli_commands",
    "rapport_console",
    "rapport_subscription_events",
    "rapport_member_measures",
    "rapport_senders",
)


class PluginHookError(Exception):
    """A plugin's hook raised while serving a request; carries the plugin's name."""

    def __init__(self, plugin: str, hook: str, error: BaseException) -> None:
        super().__init__(f"module {plugin!r} failed in {hook}: {type(error).__name__}")
        self.plugin = plugin
        self.hook = hook
        self.error = error


@dataclass
class PluginInfo:
    name: str
    source: str
    builtin: bool = False
    module: object | None = None
    manifest: PluginManifest | None = None
    error: str | None = None
    declarations: dict[str, list[Any]] = field(default_factory=dict)
    migrations: Path | None = None
    settings_schema: type | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.manifest is not None


@dataclass(frozen=True)
class Candidate:
    """Something to load: an entry point's name and a way to import it."""

    name: str
    source: str
    load: Any
    builtin: bool = False


def _entry_point_candidates() -> Iterator[Candidate]:
    for group, builtin in ((KERNEL_ENTRY_POINT_GROUP, True), (ENTRY_POINT_GROUP, False)):
        for ep in sorted(entry_points(group=group), key=lambda e: e.name):
            yield Candidate(ep.name, ep.value, ep.load, builtin)


class PluginRegistry:
    """Every installed plugin, and cached hook callers per set of enabled plugins."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(specs)
        self.plugins: dict[str, PluginInfo] = {}
        self._callers: dict[tuple[str, frozenset[str]], Any] = {}
        self._removals: dict[frozenset[str], list[object]] = {}

    # ------------------------------------------------------------------ loading

    def load(self, candidates: Iterable[Candidate], blocked: frozenset[str] = frozenset()) -> None:
        for cand in candidates:
            info = PluginInfo(cand.name, cand.source, cand.builtin)
            self.plugins[cand.name] = info
            if cand.name in blocked:
                info.error = "blocked by the operator (RAPPORT_BLOCKED_PLUGINS)"
                log.warning("plugin blocked", plugin=cand.name)
                continue
            try:
                module = cand.load()
            except Exception as exc:
                self._fail(info, f"failed to import: {type(exc).__name__}: {exc}")
                continue
            self._register(info, module)
        self._check_requirements()
        self._callers.clear()
        self._removals.clear()
        for info in self.plugins.values():
            if info.ok:
                log.info("plugin loaded", plugin=info.name, source=info.source,
                         version=info.manifest.version if info.manifest else None)

    def _fail(self, info: PluginInfo, error: str) -> None:
        info.error = error
        log.error("plugin not loaded", plugin=info.name, error=error)
        if info.module is not None and self.pm.is_registered(info.module):
            self.pm.unregister(info.module)

    def _register(self, info: PluginInfo, module: object) -> None:
        try:
            self.pm.register(module, name=info.name)
            info.module = module
            self.pm.check_pending()  # a misspelt rapport_* hook fails here
        except (pluggy.PluginValidationError, ValueError) as exc:
            info.module = module
            self._fail(info, f"invalid hooks: {exc}")
            return
        try:
            manifest = self._call_one(info, "rapport_manifest")
            if not isinstance(manifest, PluginManifest):
                raise ManifestError("rapport_manifest must return a PluginManifest")
            manifest.validate(expected_name=info.name)
            if manifest.builtin != info.builtin:
                raise ManifestError("only kernel areas (group rapport.kernel) are builtin")
            info.manifest = manifest
            for hook in DECLARATION_HOOKS:
                answer = self._call_one(info, hook)
                # A declaration hook answers a list of items, or one item (rapport_console).
                one = answer is not None and not isinstance(answer, list | tuple)
                info.declarations[hook] = [answer] if one else list(answer or [])
            info.migrations = self._call_one(info, "rapport_migrations")
            info.settings_schema = self._call_one(info, "rapport_settings_schema")
            self._validate_declarations(info)
        except Exception as exc:
            self._fail(info, f"invalid declaration: {type(exc).__name__}: {exc}")

    def _call_one(self, info: PluginInfo, hook: str) -> Any:
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            if impl.plugin is info.module:
                return impl.function()
        return None

    def _validate_declarations(self, info: PluginInfo) -> None:
        from rapport.db.base import TenantScoped

        for model in info.declarations["rapport_models"]:
            if not (isinstance(model, type) and issubclass(model, TenantScoped)):
                raise ManifestError(f"model {model!r} must derive from rapport.db.TenantScoped")
        if info.migrations is not None and not Path(info.migrations).is_dir():
            raise ManifestError(f"migrations folder {info.migrations} does not exist")
        assert info.manifest is not None
        for perm in info.declarations["rapport_permissions"]:
            if not getattr(perm, "key", "").startswith(info.name + "."):
                raise ManifestError(f"permission {perm!r} must be namespaced '{info.name}.…'")

    def _check_requirements(self) -> None:
        # Repeat until stable: a plugin whose requirement broke breaks in turn.
        changed = True
        while changed:
            changed = False
            for info in self.plugins.values():
                if not info.ok or info.manifest is None:
                    continue
                for req in info.manifest.requires:
                    dep = self.plugins.get(req)
                    if dep is None or not dep.ok:
                        self._fail(info, f"requires {req!r}, which is not installed or broken")
                        changed = True
                        break

    def mark_broken(self, name: str, error: str) -> None:
        """Take a loaded plugin out (a later check found its declarations wrong)."""
        info = self.plugins[name]
        self._fail(info, error)
        self._check_requirements()
        self._callers.clear()
        self._removals.clear()

    # ----------------------------------------------------------------- queries

    def modules(self) -> list[PluginInfo]:
        """Installed vertical plugins (not kernel areas), broken ones included."""
        return [p for p in self.plugins.values() if not p.builtin]

    def get(self, name: str) -> PluginInfo | None:
        info = self.plugins.get(name)
        return info if info is not None and not info.builtin else None

    def loaded(self) -> list[PluginInfo]:
        return [p for p in self.plugins.values() if p.ok]

    def declared(self, hook: str, enabled: frozenset[str] | None = None) -> list[tuple[str, Any]]:
        """``(plugin, item)`` for a declaration hook: kernel areas always, plugins when
        ``enabled`` includes them (all loaded plugins when ``enabled`` is None)."""
        out: list[tuple[str, Any]] = []
        for info in self.loaded():
            if info.builtin or enabled is None or info.name in enabled:
                out.extend((info.name, item) for item in info.declarations.get(hook, []))
        return out

    def migration_locations(self) -> list[Path]:
        return [Path(p.migrations) for p in self.loaded() if p.migrations is not None]

    # ------------------------------------------------------- per-tenant callers

    def _removed_for(self, enabled: frozenset[str]) -> list[object]:
        removed = self._removals.get(enabled)
        if removed is None:
            removed = [
                p.module for p in self.loaded() if not p.builtin and p.name not in enabled
            ]
            self._removals[enabled] = removed
        return removed

    def caller(self, hook: str, enabled: frozenset[str]) -> Any:
        """The hook caller restricted to kernel areas and the tenant's enabled plugins.

        Cached per (hook, enabled set): a tenant's request pays one dict lookup.
        """
        key = (hook, enabled)
        found = self._callers.get(key)
        if found is None:
            found = self.pm.subset_hook_caller(hook, remove_plugins=self._removed_for(enabled))
            self._callers[key] = found
        return found

    def for_tenant(self, enabled: frozenset[str]) -> TenantHooks:
        return TenantHooks(self, enabled)


class TenantHooks:
    """Hooks as one tenant sees them: ``hooks.rapport_event(event=…)`` or, with error
    attribution and ``async`` support, ``await hooks.call_each("rapport_event", event=…)``."""

    __slots__ = ("enabled", "registry")

    def __init__(self, registry: PluginRegistry, enabled: frozenset[str]) -> None:
        self.registry = registry
        self.enabled = enabled

    def __getattr__(self, hook: str) -> Any:
        return self.registry.caller(hook, self.enabled)

    async def call_each(
        self, hook: str, *, only: str | None = None, skip: frozenset[str] = frozenset(),
        **kwargs: Any
    ) -> list[tuple[str, Any]]:
        """Call every enabled implementation (or only plugin ``only``'s, never those named in
        ``skip``); await coroutines; name the plugin on failure. Returns ``(plugin, result)``
        pairs, skipping None."""
        results: list[tuple[str, Any]] = []
        # pluggy calls the most recently registered first; keep its order.
        for impl in reversed(self.registry.caller(hook, self.enabled).get_hookimpls()):
            if (only is not None and impl.plugin_name != only) or impl.plugin_name in skip:
                continue
            args = {name: kwargs[name] for name in impl.argnames if name in kwargs}
            try:
                result = impl.function(**args)
                if inspect.isawaitable(result):
                    result = await result
            except Exception as exc:
                log.error("plugin hook failed", plugin=impl.plugin_name, hook=hook,
                          error=f"{type(exc).__name__}: {exc}")
                raise PluginHookError(impl.plugin_name, hook, exc) from exc
            if result is not None:
                results.append((impl.plugin_name, result))
        return results


def load_registry(
    blocked: Iterable[str] = (),
    extra: Iterable[tuple[str, object]] = (),
    *,
    entry_points_too: bool = True,
) -> PluginRegistry:
    """Build the registry from installed entry points (and ``extra`` modules, for tests)."""
    registry = PluginRegistry()
    candidates: list[Candidate] = list(_entry_point_candidates()) if entry_points_too else []
    for name, module in extra:
        candidates.append(Candidate(name, getattr(module, "__name__", name),
                                    lambda m=module: m))
    registry.load(candidates, frozenset(blocked))
    return registry


__all__ = [
    "Candidate",
    "PluginHookError",
    "PluginInfo",
    "PluginRegistry",
    "TenantHooks",
    "load_registry",
]
