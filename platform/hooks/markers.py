"""The pluggy markers of the plugin contract (project name ``rapport``)."""

import pluggy

PROJECT = "rapport"
ENTRY_POINT_GROUP = "rapport.plugins"
KERNEL_ENTRY_POINT_GROUP = "rapport.kernel"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
