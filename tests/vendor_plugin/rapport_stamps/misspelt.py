"""A plugin with a typo in a hook name: ``check_pending`` must catch it at start-up."""

from rapport.sdk import PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="misspelt", title="Misspelt", version="0.1")


@hookimpl
def rapport_evnet(event: object) -> None:
    """Meant to be rapport_event."""
