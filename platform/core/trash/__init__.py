"""The trash: deleting a contact, deal or organization sets its ``deleted_at`` (and
``deleted_by``, ``rapport.db.base.Trashable``) instead of removing the row; every read path
of those areas keeps to ``deleted_at IS NULL``. This area lists, restores and purges
trashed records, and its worker hook purges those older than ``RAPPORT_TRASH_DAYS`` (30).
It depends on contacts and deals, never the reverse.
"""
