"""Fact shapes at the edge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from rapport.fieldtypes import documented

Value = Annotated[Any, documented(
    "The field's value as the contact's profile answers it: a profile field's (text, a "
    "date, a list of e-mails …, as in ContactOut) or a custom field's (FieldValue); null "
    "when cleared."
)]


class FactOut(msgspec.Struct):
    value: Value
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
    value: Value
    history: list[FactOut]


class FactsOut(msgspec.Struct):
    contact_id: uuid.UUID
    fields: list[FieldFacts]
