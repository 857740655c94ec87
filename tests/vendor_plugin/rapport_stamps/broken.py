"""A plugin that cannot even be imported (a missing dependency, say)."""

raise ImportError("rapport_stamps.broken needs the 'espresso-machine' package")
