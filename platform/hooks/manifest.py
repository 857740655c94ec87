"""What a plugin is, declared as data and validated when it loads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
VERSION_RE = re.compile(r"^\d+(\.\d+){0,2}([a-z0-9.+-]*)$")


class ManifestError(ValueError):
    """A manifest that cannot be accepted; the message says which field and why."""


@dataclass(frozen=True)
class PluginManifest:
    """A plugin's identity card.

    ``name`` is also its entry-point name, its route prefix (``/api/v1/<name>/``) and the
    namespace of its fields and permissions (``<name>.<key>``). ``price_key`` names the
    billing price that unlocks it (None: free).
    """

    name: str
    title: str
    version: str
    description: str = ""
    requires: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    price_key: str | None = None
    # Kernel areas are built-in: always on, never listed as modules.
    builtin: bool = False
    vendor: str = ""
    homepage: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    def validate(self, expected_name: str | None = None) -> None:
        if not NAME_RE.match(self.name):
            raise ManifestError(f"name {self.name!r} must match {NAME_RE.pattern}")
        if expected_name is not None and self.name != expected_name:
            raise ManifestError(
                f"name {self.name!r} differs from its entry point name {expected_name!r}"
            )
        if not self.title.strip():
            raise ManifestError("title must not be blank")
        if not VERSION_RE.match(self.version):
            raise ManifestError(f"version {self.version!r} is not a version number")
        for req in self.requires:
            if not NAME_RE.match(req) or req == self.name:
                raise ManifestError(f"requires: {req!r} is not another plugin's name")
        for perm in self.permissions:
            if not perm.startswith(self.name + "."):
                raise ManifestError(f"permission {perm!r} must be namespaced as '{self.name}.…'")
