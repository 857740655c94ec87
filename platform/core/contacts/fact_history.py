"""HTTP door of a contact's facts: ``GET /api/v1/contacts/{id}/facts`` — the record's values
with the history the facts area keeps (contacts renders; facts only records and reads)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit
from rapport.core.contacts.service import ENTITY, get_record
from rapport.core.contacts.view import organization_links
from rapport.core.facts import history
from rapport.core.facts.schemas import FactOut, FactsOut, FieldFacts
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.service import visible_fields
from rapport.tenancy.principal import Principal


class FactsController(Controller):
    path = "/api/v1/contacts/{contact_id:uuid}/facts"
    tags = ["contacts"]

    @get("/")
    async def get_facts(
        self,
        contact_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        field: Annotated[
            str | None, QueryParameter(max_length=120, pattern=r"^[A-Za-z0-9_.-]+$")
        ] = None,
    ) -> FactsOut:
        """Each profile value with its history: when it was learned, from which source or
        interaction, by whom, through which channel. ``field`` narrows to one value."""
        record = await get_record(db, principal, contact_id)
        current: dict[str, Any] = audit.jsonable(record.snapshot())
        for link in await organization_links(db, principal, contact_id):
            current[f"organizations.{link.organization_id}"] = audit.jsonable(
                {"role": link.role, "title": link.title, "since": link.since,
                 "until": link.until}
            )
        found = await history(db, principal, contact_id, field=field)
        # Custom fields show only while visible: a disabled plugin's values stay hidden here
        # as they are on the record.
        shown = {f"fields.{d.full_key}"
                 for d in await visible_fields(db, principal, plugin_fields, ENTITY)}
        names = sorted(
            name
            for name in set(found) | ({field} & set(current) if field else set(current))
            if not name.startswith("fields.") or name in shown
        )
        return FactsOut(contact_id, [
            FieldFacts(name, current.get(name), [
                FactOut(e.value, e.recorded_at, e.recorded_by, e.recorded_by_name, e.channel,
                        e.source, e.interaction_id)
                for e in found.get(name, [])
            ])
            for name in names
        ])
