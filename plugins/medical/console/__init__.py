"""Medical's console screens, through the ``rapport_console`` hook (``rapport.sdk`` only):
the patient chart (a customer-page panel and a page, own or shared), the access-requests
inbox, sharing (consents given and received), who looked at a record, break-glass
(open, list, revoke) and the federation peers (owners and admins). Mounted under
``/apps/medical/``; shown to clinics that enabled the module, to the roles named here."""

from __future__ import annotations

from pathlib import Path

from rapport.sdk import ConsoleUI, CustomerPanel, NavEntry
from rapport_plugins.medical.console import chart, federation, glass, looked, sharing
from rapport_plugins.medical.roles import ACCESS, DECIDERS

HERE = Path(__file__).parent
# Everyone with a view of patient records; the services refuse sections a role may not see.
READERS = frozenset(ACCESS)

UI = ConsoleUI(
    pages=[*chart.PAGES, *sharing.PAGES, *looked.PAGES, *federation.PAGES, *glass.PAGES],
    page_roles=READERS,
    nav=[
        NavEntry("Access requests", "/requests", order=60, roles=DECIDERS),
        NavEntry("Sharing", "/sharing", order=61, roles=DECIDERS),
        # Clinicians open, the owning clinic's deciders watch and revoke.
        NavEntry("Break-glass", "/break-glass", order=63, roles=DECIDERS),
        # Peers are the clinic's managers' business (the API's rule too).
        NavEntry("Federation", "/federation", order=62, roles=frozenset({"owner", "admin"})),
    ],
    panels=[CustomerPanel("chart", "Patient chart", "medical/panel.html", chart.panel,
                          order=10, roles=READERS)],
    templates=HERE / "templates",
    translations=HERE / "locale",
)
