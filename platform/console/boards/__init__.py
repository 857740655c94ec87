"""Boards and grouped lists of contacts and deals on any single-choice field, with a
"Move to…" control on every card (``pages.py``; what can be grouped: ``groupings.py``)."""

from rapport.console.boards.pages import PAGES

__all__ = ["PAGES"]
