"""Per-request cost of the plugin contract.

Twelve plugins are installed, four are enabled for the tenant. One "request" resolves the
tenant's hook caller (as the ``hooks`` dependency does) and calls a hook that does nothing
in each enabled plugin. The baseline calls the same four functions directly. Both run in
this process, interleaved, and the median of several rounds is reported.
"""

from __future__ import annotations

import statistics
import time
import types
from collections.abc import Callable

from rapport.hooks import PluginManifest, hookimpl, load_registry

INSTALLED = 12
ENABLED = 4
ITERATIONS = 50_000
ROUNDS = 7


def _noop(event: object) -> None:
    return None


def _plugin(name: str) -> tuple[types.ModuleType, Callable[[object], None]]:
    """A plugin module, and its event function to call directly for the baseline."""
    module = types.ModuleType(name)

    def manifest() -> PluginManifest:
        return PluginManifest(name=name, title=name, version="1.0")

    def event(event: object) -> None:
        return _noop(event)

    module.rapport_manifest = hookimpl(manifest)  # type: ignore[attr-defined]
    module.rapport_event = hookimpl(event)  # type: ignore[attr-defined]
    return module, event


def _per_call_ns(fn: Callable[[], None]) -> float:
    start = time.perf_counter_ns()
    for _ in range(ITERATIONS):
        fn()
    return (time.perf_counter_ns() - start) / ITERATIONS


def measure() -> dict[str, float]:
    plugins = [_plugin(f"plugin_{i:02d}") for i in range(INSTALLED)]
    registry = load_registry(extra=[(m.__name__, m) for m, _ in plugins], entry_points_too=False)
    assert len(registry.loaded()) == INSTALLED, "a synthetic plugin failed to load"
    enabled = frozenset(m.__name__ for m, _ in plugins[:ENABLED])
    directs = [fn for _, fn in plugins[:ENABLED]]
    caller = registry.for_tenant(enabled).rapport_event
    assert len(caller.get_hookimpls()) == ENABLED

    def direct() -> None:
        for fn in directs:
            fn(None)

    def resolve_only() -> None:
        registry.for_tenant(enabled).rapport_event  # noqa: B018 - the lookup is the work

    def request() -> None:
        registry.for_tenant(enabled).rapport_event(event=None)

    results: dict[str, list[float]] = {"direct": [], "resolve": [], "hooked": []}
    for _ in range(ROUNDS):
        results["direct"].append(_per_call_ns(direct))
        results["resolve"].append(_per_call_ns(resolve_only))
        results["hooked"].append(_per_call_ns(request))
    return {k: statistics.median(v) for k, v in results.items()}


def main() -> None:
    m = measure()
    added_us = (m["hooked"] - m["direct"]) / 1000
    print(f"plugins installed {INSTALLED}, enabled {ENABLED}, {ITERATIONS} calls x {ROUNDS} rounds")
    print("| path | per request | ratio to direct |")
    print("| --- | ---: | ---: |")
    print(f"| 4 direct function calls (baseline) | {m['direct'] / 1000:.2f} µs | 1.0 |")
    print(f"| resolve the tenant's hook caller | {m['resolve'] / 1000:.2f} µs | "
          f"{m['resolve'] / m['direct']:.1f} |")
    print(f"| resolve + call the hook (4 impls) | {m['hooked'] / 1000:.2f} µs | "
          f"{m['hooked'] / m['direct']:.1f} |")
    print(f"added per request: {added_us:.2f} µs (target < 20 µs)")


if __name__ == "__main__":
    main()
