"""Kernel area: the provenance of contact facts (its door, ``GET /contacts/{id}/facts``, is
the contacts area's: it renders the contact)."""

from __future__ import annotations

from rapport.hooks import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="facts", title="Facts and their provenance", version="1.0",
                          builtin=True)
