"""HTTP doors of message templates: CRUD, the variables on offer, and the preview."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.communication import templates
from rapport.core.communication.schemas import (
    Language,
    PreviewIn,
    PreviewOut,
    TemplateIn,
    TemplateList,
    TemplateOut,
    TemplatePatch,
    VariablesOut,
)
from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal


class TemplateController(Controller):
    path = "/api/v1/templates"
    tags = ["communication"]

    @get("/")
    async def list_templates(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> TemplateList:
        """Newest first; pass ``next_cursor`` back as ``cursor``."""
        page = await templates.list_templates(db, principal, cursor=cursor, limit=limit)
        return TemplateList([TemplateOut.of(t) for t in page.items], page.next_cursor)

    @post("/", status_code=201)
    async def create_template(
        self, data: JSONBody[TemplateIn], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession], hooks: NamedDependency[TenantHooks],
    ) -> TemplateOut:
        """A template for one channel and language (Jinja2, sandboxed); a syntax error or a
        variable not on offer is a 422 naming it."""
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        return TemplateOut.of(await templates.create_template(db, principal, hooks, values))

    @get("/variables")
    async def template_variables(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
        language: Annotated[Language, QueryParameter(description="uk, ru, en …")] = "en",
    ) -> VariablesOut:
        """The variables a template may name, with example values."""
        examples = await templates.examples(db, hooks, principal, language)
        return VariablesOut(sorted(examples), examples)

    @get("/{template_id:uuid}")
    async def get_template(
        self, template_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> TemplateOut:
        return TemplateOut.of(await templates.get_template(db, principal, template_id))

    @patch("/{template_id:uuid}")
    async def update_template(
        self, template_id: FromPath[uuid.UUID], data: JSONBody[TemplatePatch],
        principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
    ) -> TemplateOut:
        """Change only what is sent; the result is checked as a whole."""
        return TemplateOut.of(await templates.update_template(
            db, principal, hooks, template_id, data.changes()))

    @delete("/{template_id:uuid}", status_code=204)
    async def delete_template(
        self, template_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> None:
        """409 while campaigns use it."""
        await templates.delete_template(db, principal, template_id)

    @post("/{template_id:uuid}/preview", status_code=200)
    async def preview_template(
        self, template_id: FromPath[uuid.UUID], data: JSONBody[PreviewIn],
        principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
    ) -> PreviewOut:
        """The subject and body rendered for one contact, signed by the caller; a failure
        to render is a 422 naming the field and the cause."""
        template = await templates.get_template(db, principal, template_id)
        rendered = await templates.preview(db, principal, hooks, template, data.contact_id)
        return PreviewOut(rendered.subject, rendered.body, template.channel, template.language)
