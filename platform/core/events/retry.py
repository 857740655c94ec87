"""How long background work waits before trying a failed delivery again: the outbox's
events and task reminders back off the same way."""

from __future__ import annotations

from datetime import timedelta

MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s … capped at an hour."""
    return min(timedelta(seconds=2**min(attempts, 12)), MAX_BACKOFF)
