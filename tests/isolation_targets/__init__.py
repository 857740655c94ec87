"""Cross-tenant attack targets: one module per area, each defining ``TARGETS``.

Every endpoint with an id in its path must appear in some module's ``TARGETS``
(``tests/test_isolation.py`` fails otherwise). A target makes the victim's record in
tenant A and returns the path parameters; the attack then tries each method with tenant
B's token and expects 404.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from tests.conftest import TenantHandle

Maker = Callable[[object, TenantHandle], dict[str, str]]


@dataclass(frozen=True)
class Target:
    make: Maker
    methods: dict[str, dict | None]
    modules: tuple[str, ...] = ()  # modules both tenants enable first


def _collect() -> dict[str, Target]:
    targets: dict[str, Target] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for path, target in getattr(module, "TARGETS", {}).items():
            assert path not in targets, f"{path} is listed twice"
            targets[path] = target
    return targets


CROSS_TENANT_TARGETS = _collect()
