"""Domain events: the outbox and synchronous dispatch to the tenant's plugins."""

from rapport.core.events.emit import emit
from rapport.core.events.models import OutboxEvent

__all__ = ["OutboxEvent", "emit"]
