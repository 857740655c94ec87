"""HTTP doors of field definitions: ``/api/v1/fields``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.fields import service
from rapport.core.fields.definitions import TENANT_OWNER, FieldDefinition
from rapport.core.fields.schemas import FieldIn, FieldList, FieldOut, FieldPatch
from rapport.errors import not_found
from rapport.tenancy.principal import Principal

Entity = Annotated[str, Parameter(max_length=40, description="the entity the field is on")]


class FieldController(Controller):
    path = "/api/v1/fields"
    tags = ["fields"]

    @get("/")
    async def list_fields(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        entity: Annotated[str | None, Parameter(max_length=40)] = None,
    ) -> FieldList:
        """Every field the caller's tenant sees: its own (``custom.*``) and its plugins'."""
        found = await service.visible_fields(db, principal, plugin_fields, entity)
        return FieldList([FieldOut.of(d) for d in found])

    @post("/", status_code=201)
    async def create_field(
        self,
        data: JSONBody[FieldIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> FieldOut:
        """Add a ``custom.<key>`` field (owners and admins)."""
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        row = await service.create_field(db, principal, values)
        return FieldOut.of(service.definition_of(row))

    @get("/{key:str}")
    async def get_field(
        self,
        key: FromPath[str],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        entity: Entity = "contact",
    ) -> FieldOut:
        for d in await service.visible_fields(db, principal, plugin_fields, entity):
            if key in (d.full_key, d.key if d.owner == TENANT_OWNER else None):
                return FieldOut.of(d)
        raise not_found("Field")

    @patch("/{key:str}")
    async def update_field(
        self,
        key: FromPath[str],
        data: JSONBody[FieldPatch],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        entity: Entity = "contact",
    ) -> FieldOut:
        """Change label, options, required or indexed of a tenant field."""
        row = await service.update_field(
            db, principal, key, entity, data.changes(), plugin_fields
        )
        return FieldOut.of(service.definition_of(row))

    @delete("/{key:str}", status_code=204)
    async def delete_field(
        self,
        key: FromPath[str],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        entity: Entity = "contact",
    ) -> None:
        """Delete a tenant field and its values on every record."""
        await service.delete_field(db, principal, key, entity, plugin_fields)
