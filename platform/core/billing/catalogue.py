"""What Rapport sells, as data: plans with their limits and included modules, and each
module's add-on price (the ``price_key`` of its manifest)."""

from __future__ import annotations

from dataclasses import dataclass

from rapport.hooks import PluginRegistry

# Every module, for the plan that includes them all.
ALL_MODULES = "*"


@dataclass(frozen=True)
class Plan:
    key: str
    title: str
    # None: unlimited.
    members: int | None
    contacts: int | None
    storage_mb: int | None
    modules: tuple[str, ...]
    trial_days: int = 0
    # Billed per member: the subscription's quantity follows the member count.
    per_seat: bool = False
    # Monthly amount in cents, used when `rapport billing sync` creates the price.
    amount: int = 0

    def includes(self, module: str) -> bool:
        return ALL_MODULES in self.modules or module in self.modules

    def limit(self, name: str) -> int | None:
        value: int | None = getattr(self, name)
        return value


PLANS: dict[str, Plan] = {
    "free": Plan("free", "Free", members=3, contacts=1000, storage_mb=500, modules=()),
    "team": Plan("team", "Team", members=25, contacts=50_000, storage_mb=20_000,
                 modules=(), trial_days=14, per_seat=True, amount=1200),
    "business": Plan("business", "Business", members=None, contacts=None, storage_mb=None,
                     modules=(ALL_MODULES,), trial_days=14, per_seat=True, amount=2900),
}
FREE = PLANS["free"]
# Monthly amount in cents of each module add-on that `rapport billing sync` creates.
ADDON_AMOUNT = 2000
LIMITS = ("members", "contacts", "storage_mb")


@dataclass(frozen=True)
class AddOn:
    module: str
    title: str
    price_key: str


def addons(registry: PluginRegistry) -> dict[str, AddOn]:
    """Installed modules that carry a price key, by module name: they are sold on their own
    unless the plan includes them. Modules without a price key are free."""
    found: dict[str, AddOn] = {}
    for info in registry.modules():
        manifest = info.manifest
        if manifest is not None and manifest.price_key and not manifest.builtin:
            found[info.name] = AddOn(info.name, manifest.title, manifest.price_key)
    return found


def plan(key: str | None) -> Plan:
    return PLANS.get(key or "", FREE)
