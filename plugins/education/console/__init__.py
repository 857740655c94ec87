"""Education's console screens, through the ``rapport_console`` hook (``rapport.sdk`` only):
the catalogue with its outcome mapping and the registrar's forms (outcomes, courses,
programmes, a course's returning-alumni audience; a course's page: change it, publish it;
a programme's page: change it; an outcome's page: change it, link it to another
framework), the learner's lifetime on one page with
the advisor's recommendations (each course with its reason) and the registrar's forms
(enrol, results, achievements, licences), and a panel on the customer page (registering
the customer as a learner).
Mounted under ``/apps/education/``; shown to institutions that enabled the module."""

from __future__ import annotations

from pathlib import Path

from rapport.sdk import ConsoleUI, CustomerPanel, NavEntry
from rapport_plugins.education.console import courses, manage, outcomes, programs, screens
from rapport_plugins.education.roles import READERS

HERE = Path(__file__).parent

UI = ConsoleUI(
    pages=[*manage.PAGES, *courses.PAGES, *programs.PAGES, *outcomes.PAGES, *screens.PAGES],
    page_roles=READERS,
    nav=[NavEntry("Catalogue", "/", order=62, roles=READERS)],
    panels=[CustomerPanel("record", "Learning record", "education/panel.html", screens.panel,
                          order=12, roles=READERS)],
    templates=HERE / "templates",
    translations=HERE / "locale",
)
