"""The education plugin's hooks: a learner's lifelong record, "never taught twice", and
portable credentials (docs/education.md)."""

from __future__ import annotations

from rapport.sdk import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(
        name="education",
        title="Education",
        version="0.1.0",
        description="A learner's lifelong history across programmes, so nobody is taught "
        "the same thing twice, and portable credentials.",
        price_key="price_education",
        tags=("vertical", "education"),
    )
