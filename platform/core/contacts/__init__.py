"""Contacts: the person record, search, duplicates, merge and relationships.

``service`` creates, reads and changes contacts (audit + ``contact.*`` events);
``listing`` and ``search`` find them; ``merge`` and ``repoint`` join duplicates;
``plugin`` registers the routes and hooks.
"""
