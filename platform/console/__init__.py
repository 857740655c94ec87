"""The console: the server-rendered web application people work in (Jinja2 + htmx, every
asset shipped in ``static/``), in Ukrainian, Russian and English.

Entry points: ``plugin`` (the kernel area: its hooks, and ``mount.routes`` that mounts the
kernel's and the plugins' screens), ``rendering`` (Screen/Fragment → HTML), ``chrome`` (the
frame of every page: language, navigation, organizations), ``guards`` (sign-in redirects,
error pages, form tokens), ``i18n`` (catalogs under ``locale/``, Babel formats), and the
screens by area: ``account``, ``home``, ``contacts``, ``settings``. Guide: docs/console.md.
"""
