"""Kernel area: SERVQUAL surveys (docs/surveys.md) — the 22-item instrument in en, uk and
ru (``instrument``), surveys tenants edit (``surveys``), signed invitations sent after a
touchpoint under the consent rules (``invitations``, ``links``), the public answer
(``answering``: a response, an interaction on the timeline, a task when the score is low),
and the gap report (``report``, ``scoring``).

Doors: ``api`` (members), ``public_api`` (the signed link), ``cli``; the console's screens
are in ``rapport.console.surveys``.
"""
