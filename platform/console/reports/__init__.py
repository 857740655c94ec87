"""The members' report screen (``/reports/members``)."""

from rapport.console.reports.pages import PAGES

__all__ = ["PAGES"]
