"""Dealership's console screens, through the ``rapport_console`` hook (``rapport.sdk``
only): the order board, the order page, the promises due, the customer panel "what we
promised this person", the manager's report, the contest leaderboard with quotas, the
showroom's appointments and traffic, marketing messages, the staff's branches and the
catalogue (vehicles and stock). Mounted under
``/apps/dealership/``."""

from __future__ import annotations

from pathlib import Path

from rapport.sdk import ConsoleUI, CustomerPanel, NavEntry
from rapport_plugins.dealership.console import (
    catalogue,
    changes,
    deal,
    floor,
    ledger,
    manage,
    orders,
    pledge,
    promises,
    reports,
)
from rapport_plugins.dealership.roles import MANAGERS, SELLERS

HERE = Path(__file__).parent
READERS = SELLERS | {"viewer"}

UI = ConsoleUI(
    pages=[*orders.PAGES, *deal.PAGES, *changes.PAGES, *promises.PAGES, *reports.PAGES,
           *floor.PAGES, *manage.PAGES, *catalogue.PAGES, *pledge.PAGES,
           *ledger.PAGES],
    page_roles=READERS,
    nav=[
        NavEntry("Orders", "/", order=55),
        NavEntry("Promises due", "/promises", order=56),
        NavEntry("Promise report", "/reports", order=57, roles=MANAGERS),
        NavEntry("Leaderboard", "/contests", order=58),
        NavEntry("Showroom", "/floor", order=59),
        NavEntry("Marketing", "/marketing", order=60, roles=MANAGERS),
        NavEntry("Branches", "/staff", order=61, roles=MANAGERS),
        NavEntry("Catalogue", "/catalogue", order=62),
    ],
    panels=[CustomerPanel("promises", "What we promised", "dealership/panel.html",
                          promises.panel, order=20, roles=READERS)],
    templates=HERE / "templates",
    translations=HERE / "locale",
)
