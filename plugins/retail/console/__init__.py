"""Retail's console screens, through the ``rapport_console`` hook (``rapport.sdk`` only):
the cashier screen (scan or type a card: the greeting, birthday banner, tier and progress,
balance, vouchers and offers, one button to record the purchase), the member page (ledger
and tier history) and, for loyalty managers, the programs with their report. Mounted under
``/apps/retail/``."""

from __future__ import annotations

from pathlib import Path

from rapport.sdk import ConsoleUI, CustomerPanel, NavEntry
from rapport_plugins.retail.console import manage, pages, panel, products
from rapport_plugins.retail.roles import MANAGERS, TILL

HERE = Path(__file__).parent

UI = ConsoleUI(
    pages=pages.PAGES + manage.PAGES + products.PAGES,
    page_roles=TILL,
    nav=[
        NavEntry("Till", "/", order=55, roles=TILL),
        NavEntry("Loyalty programs", "/programs", order=56, roles=MANAGERS),
        NavEntry("Products and categories", "/products", order=57, roles=MANAGERS),
    ],
    panels=[CustomerPanel("loyalty", "Loyalty", "retail/panel.html", panel.load, order=20,
                          roles=MANAGERS)],
    templates=HERE / "templates",
    translations=HERE / "locale",
)
