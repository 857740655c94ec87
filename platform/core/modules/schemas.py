"""Module shapes at the edge."""

from __future__ import annotations

import msgspec


class ModuleOut(msgspec.Struct):
    name: str
    title: str
    description: str
    version: str
    requires: list[str]
    permissions: list[str]
    price_key: str | None
    enabled: bool
    available: bool
    error: str | None = None


class ModuleList(msgspec.Struct):
    items: list[ModuleOut]


class ModuleChange(msgspec.Struct):
    name: str
    enabled: bool
    changed: list[str]
