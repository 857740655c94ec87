"""HTTP doors of contact actions beyond the record: merging two records of one person,
checking for duplicates before creating, and the tenant's contact settings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts import duplicates, preferences, service
from rapport.core.contacts import values as v
from rapport.core.contacts.controllers import Region, render_one
from rapport.core.contacts.merge import merge_contacts
from rapport.core.contacts.provenance import provenance_of
from rapport.core.contacts.schemas import (
    Candidate,
    CandidateList,
    ContactIn,
    ContactOut,
    ContactSettingsIn,
    ContactSettingsOut,
    MergeIn,
)
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.service import visible_fields
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal


class ContactActionsController(Controller):
    path = "/api/v1/contacts"
    tags = ["contacts"]

    @post("/{contact_id:uuid}/merge", status_code=200)
    async def merge(
        self,
        contact_id: FromPath[uuid.UUID],
        data: JSONBody[MergeIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        hooks: NamedDependency[TenantHooks],
    ) -> ContactOut:
        """Merge ``other_id`` into this contact: everything about the other moves here, this
        contact's values win and the other's fill gaps; ``other_id`` then answers 404."""
        definitions = await visible_fields(db, principal, plugin_fields, service.ENTITY)
        record = await merge_contacts(
            db, principal, contact_id, data.other_id, definitions, hooks,
            provenance_of(data.provenance, channel="merge"),
        )
        return await render_one(db, principal, definitions, record, None)

    @post("/duplicates", status_code=200)
    async def find_duplicates(
        self,
        data: JSONBody[ContactIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        region: Region = None,
    ) -> CandidateList:
        """The contacts a create with this body would be refused for (a form can warn
        before saving, an import can decide per row)."""
        values = data.values()
        emails = v.compose_emails([], values) or []
        phone_region = preferences.region_code(region) or (
            await preferences.defaults(db, principal)
        ).phone_region
        phones = v.clean_phones(values.get("phones") or [], phone_region)
        scalars = v.clean_scalars(values)
        found = await duplicates.candidates(
            db,
            principal.tenant_id,
            email_keys=[e.key for e in emails],
            phones=[p.number for p in phones],
            name=duplicates.PersonName(
                scalars.get("given_name"), scalars.get("patronymic"), scalars.get("family_name"),
                scalars.get("preferred_name"),
            ),
            birthday=scalars.get("birthday"),
        )
        return CandidateList(
            [Candidate(c.id, c.display_name, c.email, c.reason, c.score) for c in found]
        )

    @get("/settings")
    async def get_settings(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession]
    ) -> ContactSettingsOut:
        """The tenant's phone region (for numbers written nationally) and default locale
        (for salutations of contacts without a language), time zone (for the sending
        windows of contacts without one) and whether campaign messages are tracked."""
        found = await preferences.defaults(db, principal)
        return ContactSettingsOut(found.phone_region, found.default_locale, found.time_zone,
                                  found.tracking)

    @put("/settings")
    async def put_settings(
        self,
        data: JSONBody[ContactSettingsIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> ContactSettingsOut:
        """Owners and admins."""
        saved = await preferences.save(db, principal, data.phone_region, data.default_locale,
                                       data.time_zone, data.tracking)
        return ContactSettingsOut(saved.phone_region, saved.default_locale, saved.time_zone,
                                  saved.tracking)
