"""Template actions: CRUD scoped by the actor's tenant, sources checked against the
variables offered (a syntax error or an unknown variable is a 422 naming it, nothing
saved), and the preview for one contact."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit
from rapport.core.communication import variables as vars_
from rapport.core.communication.models import Campaign, MessageTemplate
from rapport.core.communication.rendering import Rendered, check_source, render
from rapport.core.communication.salutation import address
from rapport.core.contacts.names import normal_locale
from rapport.core.pagination import Page, by_id, check_limit, cut, newest_first
from rapport.errors import conflict, invalid, not_found
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal

RECORD_TYPE = "message_template"
PLAIN = ("name", "channel", "language", "topic", "subject", "body")


def audited(t: MessageTemplate) -> dict[str, Any]:
    return {f: getattr(t, f) for f in PLAIN}


async def _check(session: AsyncSession, actor: Principal, hooks: TenantHooks,
                 values: Mapping[str, Any]) -> None:
    if values["channel"] == "email" and not values.get("subject"):
        raise invalid("subject", "an e-mail template needs a subject")
    if values["channel"] != "email" and values.get("subject"):
        raise invalid("subject", f"{values['channel']} messages have no subject")
    known = await vars_.known_names(session, hooks, actor.tenant_id, values["language"])
    if values.get("subject"):
        check_source("subject", values["subject"], known)
    check_source("body", values["body"], known)


def _language(tag: str) -> str:
    found = normal_locale(tag)
    if found is None:
        raise invalid("language", "must be a language tag such as uk, ru or en")
    return found


async def get_template(session: AsyncSession, actor: Principal,
                       template_id: uuid.UUID) -> MessageTemplate:
    found = (await session.execute(select(MessageTemplate).where(
        MessageTemplate.tenant_id == actor.tenant_id, MessageTemplate.id == template_id,
    ))).scalar_one_or_none()
    if found is None:
        raise not_found("Template")
    return found


async def list_templates(session: AsyncSession, actor: Principal, *, cursor: str | None,
                         limit: int) -> Page[MessageTemplate]:
    check_limit(limit)
    query = newest_first(select(MessageTemplate).where(
        MessageTemplate.tenant_id == actor.tenant_id), MessageTemplate.id, cursor, limit)
    return cut(list((await session.execute(query)).scalars()), limit, by_id)


async def create_template(session: AsyncSession, actor: Principal, hooks: TenantHooks,
                          values: dict[str, Any]) -> MessageTemplate:
    actor.require_writer()
    values = {**values, "language": _language(values["language"])}
    await _check(session, actor, hooks, values)
    template = MessageTemplate(tenant_id=actor.tenant_id, created_by=actor.user_id,
                               **{f: values.get(f) for f in PLAIN})
    session.add(template)
    await session.flush()
    await audit.record(session, actor, audit.CREATE, RECORD_TYPE, template.id,
                       audit.diff({}, audited(template)))
    return template


async def update_template(session: AsyncSession, actor: Principal, hooks: TenantHooks,
                          template_id: uuid.UUID, changes: dict[str, Any]) -> MessageTemplate:
    actor.require_writer()
    template = await get_template(session, actor, template_id)
    if "language" in changes:
        changes = {**changes, "language": _language(changes["language"])}
    before = audited(template)
    await _check(session, actor, hooks, {**before, **changes})
    for name, value in changes.items():
        setattr(template, name, value)
    await session.flush()
    await audit.record(session, actor, audit.UPDATE, RECORD_TYPE, template.id,
                       audit.diff(before, audited(template)))
    return template


async def delete_template(session: AsyncSession, actor: Principal,
                          template_id: uuid.UUID) -> None:
    actor.require_writer()
    template = await get_template(session, actor, template_id)
    used = (await session.execute(select(Campaign.name).where(
        Campaign.tenant_id == actor.tenant_id, Campaign.template_id == template_id,
    ).order_by(Campaign.name))).scalars().all()
    if used:
        raise conflict("Campaigns use this template: " + ", ".join(used), campaigns=list(used))
    before = audited(template)
    await session.delete(template)
    await session.flush()
    await audit.record(session, actor, audit.DELETE, RECORD_TYPE, template_id,
                       audit.diff(before, {}))


async def preview(session: AsyncSession, actor: Principal, hooks: TenantHooks,
                  template: MessageTemplate, contact_id: uuid.UUID) -> Rendered:
    """The template rendered for one contact, signed by the caller."""
    contact = await vars_.contact_values(session, actor.tenant_id, contact_id)
    sender = await vars_.sender_of(session, actor.tenant_id, actor.membership_id)
    variables = await vars_.variables_for(session, hooks, actor.tenant_id, contact, sender,
                                          template.language)
    return render(template.subject, template.body, variables)


async def examples(session: AsyncSession, hooks: TenantHooks, actor: Principal,
                   language: str) -> dict[str, Any]:
    plugins = await vars_.plugin_variables(session, hooks, actor.tenant_id, None, language)
    sample: dict[str, Any] = {"given_name": "Микола", "patronymic": "Петрович",
                              "family_name": "Бондаренко", "honorific": None, "fields": {}}
    greeting = address(sample, language)
    return {**plugins, "salutation": greeting.greeting, "envelope_name": greeting.envelope,
            "contact": {k: sample.get(k) for k in vars_.CONTACT_KEYS},
            "member": {"name": actor.full_name, "email": actor.email, "signature": ""},
            "organization": {"name": actor.tenant_name},
            "unsubscribe_url": vars_.EXAMPLE_UNSUBSCRIBE}


async def preview_draft(session: AsyncSession, actor: Principal, hooks: TenantHooks,
                        values: dict[str, Any], contact_id: uuid.UUID) -> Rendered:
    """A template not saved yet, checked as a save would check it and rendered for one
    contact (the editor's live preview)."""
    values = {**values, "language": _language(values.get("language") or "")}
    await _check(session, actor, hooks, values)
    draft = MessageTemplate(tenant_id=actor.tenant_id, **{f: values.get(f) for f in PLAIN})
    return await preview(session, actor, hooks, draft, contact_id)
