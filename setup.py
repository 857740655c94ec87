"""Maps the namespace folders platform/ and plugins/ to ``rapport`` and ``rapport_plugins``.

pyproject's ``packages.find`` cannot rename folders, so subpackages are listed here;
everything else lives in pyproject.toml. (``platform`` would shadow the stdlib module.)
"""

from setuptools import find_namespace_packages, setup

ROOTS = {"rapport": "platform", "rapport_plugins": "plugins"}

packages = []
for name, folder in ROOTS.items():
    packages.append(name)
    packages += [f"{name}.{sub}" for sub in find_namespace_packages(where=folder)]

setup(packages=packages)
