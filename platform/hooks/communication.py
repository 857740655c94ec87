"""What plugins exchange with the communication area: variables for message templates and
the event types members may subscribe to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class TemplateQuery:
    """Asks an enabled plugin for its template variables for one contact.

    ``contact_id`` is None when the editor asks which variables exist: answer with
    example values then (their names are what templates may use).
    """

    tenant_id: uuid.UUID
    session: AsyncSession
    contact_id: uuid.UUID | None
    language: str


@dataclass(frozen=True)
class SubscriptionEvent:
    """An event type a member may subscribe to: the domain event's ``name`` (``<plugin>.
    <what>`` for a plugin's) and a short ``title`` per language (``{"en": …, "uk": …}``)."""

    name: str
    title: dict[str, str]

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title.get("en") or self.name
