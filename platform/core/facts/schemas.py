"""Fact shapes at the edge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec


class FactOut(msgspec.Struct):
    value: Any
    recorded_at: datetime
    recorded_by: uuid.UUID | None
    recorded_by_name: str | None
    channel: str
    source: str | None
    interaction_id: uuid.UUID | None


class FieldFacts(msgspec.Struct):
    """One profile value: what it is now, and each change with where it was learned
    (newest first)."""

    field: str
    value: Any
    history: list[FactOut]


class FactsOut(msgspec.Struct):
    contact_id: uuid.UUID
    fields: list[FieldFacts]
