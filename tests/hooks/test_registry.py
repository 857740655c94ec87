"""Discovery: entry points load, broken plugins are reported and never take the platform down."""

from __future__ import annotations

import types

from rapport.hooks import PluginManifest, hookimpl, load_registry
from rapport.hooks.markers import ENTRY_POINT_GROUP
from rapport.hooks.specs import __dict__ as spec_namespace


def test_every_hookspec_is_documented_and_prefixed():
    specs = {n: f for n, f in spec_namespace.items() if n.startswith("rapport_")}
    assert len(specs) >= 14
    for name, fn in specs.items():
        assert fn.__doc__ and len(fn.__doc__.strip()) > 40, name


def test_installed_plugins_load_through_entry_points():
    registry = load_registry()
    stamps = registry.get("stamps")
    assert stamps is not None and stamps.ok, stamps and stamps.error
    assert stamps.source == "rapport_stamps.plugin"
    assert stamps.manifest.requires == ()
    assert registry.get("stamps_reports").ok
    # Kernel areas are loaded too, as builtins that are never listed as modules.
    assert {"tenancy", "contacts", "modules"} <= {p.name for p in registry.loaded()}
    assert all(not p.builtin for p in registry.modules())
    assert ENTRY_POINT_GROUP == "rapport.plugins"


def test_broken_plugins_are_reported_not_fatal():
    registry = load_registry()
    broken = registry.get("broken_import")
    misspelt = registry.get("misspelt")
    assert broken is not None and not broken.ok and "espresso-machine" in broken.error
    assert misspelt is not None and not misspelt.ok and "rapport_evnet" in misspelt.error
    # Their hooks are not registered.
    names = {registry.pm.get_name(p) for p in registry.pm.get_plugins()}
    assert "misspelt" not in names and "broken_import" not in names


def test_operator_can_block_a_plugin_and_dependants_follow():
    registry = load_registry(blocked={"stamps"})
    assert "blocked" in registry.get("stamps").error
    assert "requires 'stamps'" in registry.get("stamps_reports").error


def _module(name: str, **hooks) -> types.ModuleType:
    mod = types.ModuleType(f"fake_{name}")
    for hook_name, fn in hooks.items():
        setattr(mod, hook_name, hookimpl(fn))
    return mod


def test_invalid_manifests_are_refused():
    bad_name = _module("x", rapport_manifest=lambda: PluginManifest("Bad Name", "T", "1.0"))
    other_name = _module("y", rapport_manifest=lambda: PluginManifest("zzz", "T", "1.0"))
    bad_perm = _module(
        "z", rapport_manifest=lambda: PluginManifest("zed", "T", "1.0", permissions=("x.y",))
    )
    fake_builtin = _module(
        "w", rapport_manifest=lambda: PluginManifest("wow", "T", "1.0", builtin=True)
    )
    registry = load_registry(
        extra=[("bad", bad_name), ("yyy", other_name), ("zed", bad_perm), ("wow", fake_builtin)],
        entry_points_too=False,
    )
    assert "must match" in registry.plugins["bad"].error
    assert "differs from its entry point" in registry.plugins["yyy"].error
    assert "namespaced" in registry.plugins["zed"].error
    assert "builtin" in registry.plugins["wow"].error


def test_a_model_without_tenant_scope_is_refused():
    class NotTenantScoped:
        """A model class that does not derive from TenantScoped."""

    mod = _module(
        "m",
        rapport_manifest=lambda: PluginManifest("mmm", "T", "1.0"),
        rapport_models=lambda: [NotTenantScoped],
    )
    registry = load_registry(extra=[("mmm", mod)], entry_points_too=False)
    assert "TenantScoped" in registry.plugins["mmm"].error


def test_subset_callers_drop_disabled_plugins_and_are_cached():
    calls: list[str] = []

    def plugin(name):
        return _module(
            name,
            rapport_manifest=lambda: PluginManifest(name, name.title(), "1.0"),
            rapport_event=lambda event: calls.append(name),
        )

    registry = load_registry(
        extra=[(n, plugin(n)) for n in ("aaa", "bbb", "ccc")], entry_points_too=False
    )
    hooks = registry.for_tenant(frozenset({"aaa", "ccc"}))
    hooks.rapport_event(event=None)
    assert sorted(calls) == ["aaa", "ccc"]
    assert registry.caller("rapport_event", frozenset({"aaa", "ccc"})) is hooks.rapport_event
    calls.clear()
    registry.for_tenant(frozenset()).rapport_event(event=None)
    assert calls == []


def test_contact_filters_are_checked_when_plugins_load():
    from sqlalchemy import select

    from rapport.hooks import ContactFilter
    from rapport.plugin_checks import verify_declarations

    def rows(tenant_id):
        return select()

    def plugin(name, *declared):
        return _module(name, rapport_manifest=lambda: PluginManifest(name, "T", "1.0"),
                       rapport_contact_filters=lambda: list(declared))

    good = ContactFilter("fine.tier", {"en": "Tier"}, "choice", rows, choices=("Gold",))
    registry = load_registry(extra=[
        ("fine", plugin("fine", good)),
        ("own", plugin("own", ContactFilter("other.tier", {"en": "Tier"}, "text", rows))),
        ("nolabel", plugin("nolabel", ContactFilter("nolabel.x", {"uk": "Ікс"}, "text", rows))),
        ("badop", plugin("badop", ContactFilter("badop.x", {"en": "X"}, "text", rows,
                                                ops=("gt",)))),
        ("nochoice", plugin("nochoice", ContactFilter("nochoice.x", {"en": "X"}, "choice",
                                                      rows))),
        ("wrong", plugin("wrong", "wrong.x")),
    ], entry_points_too=False)
    verify_declarations(registry)
    assert registry.plugins["fine"].ok
    assert [f.name for _, f in registry.declared("rapport_contact_filters")] == ["fine.tier"]
    assert good.operators == ("eq", "ne", "in", "is_empty") and good.label("uk") == "Tier"
    assert "must start with own." in registry.plugins["own"].error
    assert "needs an 'en' label" in registry.plugins["nolabel"].error
    assert "gt do not apply to text" in registry.plugins["badop"].error
    assert "choices go with value_type choice" in registry.plugins["nochoice"].error
    assert "not a ContactFilter" in registry.plugins["wrong"].error
